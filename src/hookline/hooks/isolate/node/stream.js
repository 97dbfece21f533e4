// node:stream: Node's legacy Stream (an EventEmitter with pipe), with Readable, Writable, Duplex,
// Transform, PassThrough, finished and pipeline from readable-stream (Node's own streams, as a
// package). Enough for jws and for response bodies. Runs inside the isolate.
import EventEmitter from 'events';
import * as readable from 'readable-stream';

function Stream(options) {
  EventEmitter.call(this, options);
}
Object.setPrototypeOf(Stream.prototype, EventEmitter.prototype);
Object.setPrototypeOf(Stream, EventEmitter);

// The pipe of Node's legacy Stream (lib/internal/streams/legacy.js), for streams that emit 'data' themselves.
Stream.prototype.pipe = function pipe(dest, options) {
  const source = this; // eslint-disable-line @typescript-eslint/no-this-alias -- Node's own code, kept close to it
  function ondata(chunk) {
    if (dest.writable && dest.write(chunk) === false && source.pause) source.pause();
  }
  function ondrain() {
    if (source.readable && source.resume) source.resume();
  }
  source.on('data', ondata);
  dest.on('drain', ondrain);
  let didOnEnd = false;
  function onend() {
    if (didOnEnd) return;
    didOnEnd = true;
    dest.end();
  }
  function onclose() {
    if (didOnEnd) return;
    didOnEnd = true;
    if (typeof dest.destroy === 'function') dest.destroy();
  }
  if (!dest._isStdio && (!options || options.end !== false)) {
    source.on('end', onend);
    source.on('close', onclose);
  }
  function cleanup() {
    source.removeListener('data', ondata);
    dest.removeListener('drain', ondrain);
    source.removeListener('end', onend);
    source.removeListener('close', onclose);
    source.removeListener('error', onerror);
    dest.removeListener('error', onerror);
    source.removeListener('end', cleanup);
    source.removeListener('close', cleanup);
    dest.removeListener('close', cleanup);
  }
  function onerror(error) {
    cleanup();
    if (EventEmitter.listenerCount(this, 'error') === 0) throw error;
  }
  source.on('error', onerror);
  dest.on('error', onerror);
  source.on('end', cleanup);
  source.on('close', cleanup);
  dest.on('close', cleanup);
  dest.emit('pipe', source);
  return dest;
};

Stream.Stream = Stream;
Stream.Readable = readable.Readable;
Stream.Writable = readable.Writable;
Stream.Duplex = readable.Duplex;
Stream.Transform = readable.Transform;
Stream.PassThrough = readable.PassThrough;
Stream.finished = readable.finished;
Stream.pipeline = readable.pipeline;
Stream.promises = {
  finished: (stream, options) => new Promise((resolve, reject) => readable.finished(stream, options || {}, (error) => (error ? reject(error) : resolve()))),
  pipeline: (...streams) => new Promise((resolve, reject) => readable.pipeline(...streams, (error) => (error ? reject(error) : resolve()))),
};

export default Stream;
