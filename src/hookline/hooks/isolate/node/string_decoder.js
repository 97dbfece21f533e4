// node:string_decoder: the string_decoder package. Runs inside the isolate.
export { StringDecoder } from 'string_decoder/lib/string_decoder.js';
