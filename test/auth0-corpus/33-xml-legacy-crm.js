// A legacy CRM that speaks XML: build the request and read the answer with fast-xml-parser.
const { XMLBuilder, XMLParser } = require('fast-xml-parser');

module.exports = function (user, context, cb) {
  const xml = new XMLBuilder({ ignoreAttributes: false }).build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    Contact: { '@_source': 'auth0', Email: user.email, Plan: user.app_metadata.plan },
  });
  fetch(context.webtask.secrets.BASE_URL + '/xml/contacts', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml })
    .then((res) => res.text())
    .then((text) => cb(null, new XMLParser().parse(text).Result.Id), cb);
};
