// node:path: POSIX paths (path-browserify, Node's own path module as a package). Runs inside the isolate.
import path from 'path-browserify';

export default path;
