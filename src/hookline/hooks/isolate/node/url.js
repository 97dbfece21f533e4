// node:url: the WHATWG URL and URLSearchParams (the sandbox's globals), and the legacy parse/format/
// resolve that older libraries call. Runs inside the isolate.
import { parse as parseQuery, stringify as stringifyQuery } from './querystring.js';

export const URL = globalThis.URL;
export const URLSearchParams = globalThis.URLSearchParams;

export function Url() {
  this.protocol = null;
  this.slashes = null;
  this.auth = null;
  this.host = null;
  this.port = null;
  this.hostname = null;
  this.hash = null;
  this.search = null;
  this.query = null;
  this.pathname = null;
  this.path = null;
  this.href = null;
}

const SCHEME = /^([a-z][a-z0-9+.-]*:)/i;

export function parse(input, parseQueryString = false, slashesDenoteHost = false) {
  if (input instanceof Url) return input;
  if (typeof input !== 'string') throw new TypeError('The "url" argument must be of type string');
  const text = input.trim();
  const out = new Url();
  let rest = text;
  const hashAt = rest.indexOf('#');
  if (hashAt >= 0) {
    out.hash = rest.slice(hashAt);
    rest = rest.slice(0, hashAt);
  }
  const searchAt = rest.indexOf('?');
  if (searchAt >= 0) {
    out.search = rest.slice(searchAt);
    out.query = rest.slice(searchAt + 1);
    rest = rest.slice(0, searchAt);
  } else if (parseQueryString) {
    out.search = '';
    out.query = {};
  }
  const scheme = SCHEME.exec(rest);
  if (scheme) {
    out.protocol = scheme[1].toLowerCase();
    rest = rest.slice(scheme[1].length);
  }
  if (rest.startsWith('//') && (out.protocol || slashesDenoteHost)) {
    out.slashes = true;
    rest = rest.slice(2);
    const end = rest.search(/[/\\]/);
    let authority = end >= 0 ? rest.slice(0, end) : rest;
    rest = end >= 0 ? rest.slice(end) : '';
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      out.auth = decodeURIComponent(authority.slice(0, at));
      authority = authority.slice(at + 1);
    }
    out.host = authority.toLowerCase();
    const port = /:(\d*)$/.exec(out.host);
    if (port) {
      out.port = port[1] || null;
      out.hostname = out.host.slice(0, -port[0].length);
    } else {
      out.hostname = out.host;
    }
    out.hostname = out.hostname.replace(/^\[|\]$/g, '');
    if (!rest && out.protocol && /^(https?|ftp|wss?|file):$/.test(out.protocol)) rest = '/';
  }
  out.pathname = rest || (out.slashes ? '/' : null);
  if (parseQueryString && typeof out.query === 'string') out.query = parseQuery(out.query);
  out.path = (out.pathname || '') + (out.search || '') || null;
  out.href = format(out);
  return out;
}

export function format(object) {
  if (typeof object === 'string') object = parse(object);
  if (object instanceof URL) return object.href;
  const protocol = object.protocol ? (object.protocol.endsWith(':') ? object.protocol : object.protocol + ':') : '';
  let host = '';
  if (object.host) host = object.host;
  else if (object.hostname) host = (object.hostname.includes(':') ? `[${object.hostname}]` : object.hostname) + (object.port ? ':' + object.port : '');
  const auth = object.auth ? encodeURIComponent(object.auth).replace(/%3A/i, ':') + '@' : '';
  const slashes = object.slashes || /^(https?|ftp|wss?|file):$/.test(protocol) ? '//' : '';
  let search = object.search || '';
  if (!search && object.query && typeof object.query === 'object') {
    const q = stringifyQuery(object.query);
    if (q) search = '?' + q;
  }
  if (search && !search.startsWith('?')) search = '?' + search;
  let hash = object.hash || '';
  if (hash && !hash.startsWith('#')) hash = '#' + hash;
  let pathname = object.pathname || '';
  if (host && pathname && !pathname.startsWith('/')) pathname = '/' + pathname;
  return protocol + (host || slashes === '//' && protocol === 'file:' ? slashes + auth + host : '') + pathname + search + hash;
}

export function resolve(from, to) {
  try {
    return new URL(to, new URL(from)).href;
  } catch {
    // A relative base: resolve against a placeholder origin, then drop it.
    const base = 'http://relative.invalid';
    const href = new URL(to, new URL(from, base + '/')).href;
    return href.startsWith(base) ? href.slice(base.length) : href;
  }
}

export function domainToASCII(domain) {
  try {
    return new URL('http://' + domain).hostname;
  } catch {
    return '';
  }
}

export function fileURLToPath(url) {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  if (parsed.protocol !== 'file:') throw new TypeError('The URL must be of scheme file');
  return decodeURIComponent(parsed.pathname);
}

export function pathToFileURL(path) {
  return new URL('file://' + encodeURI(path));
}

export default { URL, URLSearchParams, Url, parse, format, resolve, domainToASCII, fileURLToPath, pathToFileURL };
