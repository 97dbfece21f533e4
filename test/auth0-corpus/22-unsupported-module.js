// aws-sdk is not supported: the hook fails with an error naming it and the supported modules.
const AWS = require('aws-sdk');

module.exports = function (user, context, cb) {
  new AWS.SNS().publish({ Message: user.email }, cb);
};
