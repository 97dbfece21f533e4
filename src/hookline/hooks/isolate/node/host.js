// The one way the Node built-ins reach the host: a synchronous call through the sandbox's bridge with
// strings in and a string out (JSON). No host object, function or prototype ever crosses. Runs inside
// the isolate; the bootstrap installs __hooklineHostCall (absent in the test harness without a bridge).
export function hostCall(kind, op, args) {
  const call = globalThis.__hooklineHostCall;
  if (typeof call !== 'function') {
    const error = new Error(`${kind}.${op} needs the sandbox's host bridge, which this context does not have`);
    error.code = 'ERR_HOOKLINE_NO_HOST';
    throw error;
  }
  const answer = JSON.parse(call(kind, op, JSON.stringify(args)));
  if (answer.error !== undefined) {
    const ErrorType = answer.type === 'TypeError' ? TypeError : answer.type === 'RangeError' ? RangeError : Error;
    const error = new ErrorType(String(answer.error));
    if (answer.code) error.code = String(answer.code);
    throw error;
  }
  return answer.value;
}
