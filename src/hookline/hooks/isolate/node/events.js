// node:events: the events package (Node's EventEmitter, as a package). Runs inside the isolate.
import EventEmitter from 'events/events.js';

export default EventEmitter;
