// node:querystring: parse/stringify (decode/encode), escape/unescape. Runs inside the isolate.
export function escape(value) {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function unescape(value) {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function primitive(value) {
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return '';
}

export function stringify(object, sep = '&', eq = '=', options = {}) {
  if (!object || typeof object !== 'object') return '';
  const encode = options.encodeURIComponent || escape;
  const out = [];
  for (const key of Object.keys(object)) {
    const value = object[key];
    const name = encode(primitive(key)) + eq;
    if (Array.isArray(value)) value.forEach((item) => out.push(name + encode(primitive(item))));
    else out.push(name + encode(primitive(value)));
  }
  return out.join(sep);
}

export function parse(text, sep = '&', eq = '=', options = {}) {
  const out = Object.create(null);
  if (typeof text !== 'string' || text.length === 0) return out;
  const decode = options.decodeURIComponent || unescape;
  const max = options.maxKeys === undefined ? 1000 : options.maxKeys;
  let parts = text.split(sep);
  if (max > 0) parts = parts.slice(0, max);
  for (const part of parts) {
    if (!part) continue;
    const at = part.indexOf(eq);
    const key = decode((at >= 0 ? part.slice(0, at) : part).replace(/\+/g, ' '));
    const value = at >= 0 ? decode(part.slice(at + eq.length).replace(/\+/g, ' ')) : '';
    if (!(key in out)) out[key] = value;
    else if (Array.isArray(out[key])) out[key].push(value);
    else out[key] = [out[key], value];
  }
  return out;
}

export const encode = stringify;
export const decode = parse;
export default { escape, unescape, stringify, parse, encode, decode };
