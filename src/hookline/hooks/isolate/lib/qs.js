// The query-string encoding of the `qs` package's defaults (nested keys as a[b]=c, arrays as a[0]=x),
// which request uses for `qs` and `form`. Runs inside the isolate.
function encode(value) {
  return encodeURIComponent(value).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function pairs(prefix, value, out) {
  if (value === undefined) return out;
  if (value === null) {
    out.push(encode(prefix) + '=');
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => pairs(`${prefix}[${i}]`, item, out));
  } else if (typeof value === 'object' && !(value instanceof Date)) {
    for (const key of Object.keys(value)) pairs(`${prefix}[${key}]`, value[key], out);
  } else {
    out.push(encode(prefix) + '=' + encode(value instanceof Date ? value.toISOString() : String(value)));
  }
  return out;
}

export function stringify(object) {
  if (!object || typeof object !== 'object') return '';
  const out = [];
  for (const key of Object.keys(object)) pairs(key, object[key], out);
  return out.join('&');
}
