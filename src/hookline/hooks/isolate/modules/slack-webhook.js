// The real @slack/webhook 8 (it posts with the global fetch). Runs inside the isolate.
module.exports = require('@slack/webhook');
