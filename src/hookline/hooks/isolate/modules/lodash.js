// lodash 4, pure JS. Runs inside the isolate.
module.exports = require('lodash');
