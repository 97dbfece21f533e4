// FormData for string fields (and Blob-like values whose text is already a string). Runs inside the isolate.
const entries = Symbol('entries');

function toEntryValue(value, filename) {
  if (value !== null && typeof value === 'object' && typeof value.text === 'function') {
    throw new TypeError('FormData in a Hookline hook accepts string fields only (files and Blobs are not supported)');
  }
  return { value: String(value), filename: filename === undefined ? undefined : String(filename) };
}

export class FormData {
  constructor(form) {
    if (form !== undefined) throw new TypeError('FormData(form) with an HTML form is not supported in a hook');
    this[entries] = [];
  }
  append(name, value, filename) {
    this[entries].push([String(name), toEntryValue(value, filename)]);
  }
  set(name, value, filename) {
    const key = String(name);
    const entry = toEntryValue(value, filename);
    const first = this[entries].findIndex(([n]) => n === key);
    if (first === -1) {
      this[entries].push([key, entry]);
      return;
    }
    // Entries after the first one with this name go; the first keeps its position.
    this[entries] = this[entries].filter(([n], i) => n !== key || i === first);
    this[entries][first] = [key, entry];
  }
  get(name) {
    const found = this[entries].find(([n]) => n === String(name));
    return found ? found[1].value : null;
  }
  getAll(name) {
    return this[entries].filter(([n]) => n === String(name)).map(([, e]) => e.value);
  }
  has(name) {
    return this[entries].some(([n]) => n === String(name));
  }
  delete(name) {
    this[entries] = this[entries].filter(([n]) => n !== String(name));
  }
  forEach(callback, thisArg) {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }
  *entries() {
    for (const [name, entry] of this[entries]) yield [name, entry.value];
  }
  *keys() {
    for (const [name] of this[entries]) yield name;
  }
  *values() {
    for (const [, entry] of this[entries]) yield entry.value;
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  get [Symbol.toStringTag]() {
    return 'FormData';
  }
}

export function isFormData(value) {
  return value instanceof FormData || Object.prototype.toString.call(value) === '[object FormData]';
}

/** multipart/form-data encoding of string fields (RFC 7578), as browsers send it. */
export function encodeMultipart(form) {
  const boundary = '----HooklineFormBoundary' + Math.random().toString(36).slice(2, 14) + Date.now().toString(36);
  const escape = (s) => s.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
  let body = '';
  for (const [name, entry] of form[entries] || [...form.entries()].map(([n, v]) => [n, { value: v }])) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${escape(name)}"`;
    if (entry.filename !== undefined) body += `; filename="${escape(entry.filename)}"`;
    body += `\r\n\r\n${entry.value}\r\n`;
  }
  body += `--${boundary}--\r\n`;
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
