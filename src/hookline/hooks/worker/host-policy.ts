import { BlockList, isIP } from 'node:net';

/** One `allowHosts` entry: an exact host name, a `*.domain` wildcard or a literal IP, with an optional port. */
export interface AllowHostRule {
  /** Lowercase host name, or the IP (IPv6 without brackets); for a wildcard, the suffix after `*.`. */
  host: string;
  wildcard: boolean;
  port?: number;
  /** As written in the config, for messages. */
  source: string;
}

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Parses an `allowHosts` entry. Returns an error message for an invalid one. */
export function parseAllowHost(entry: string): AllowHostRule | string {
  const source = entry;
  if (/[/@?#\s]/.test(entry.trim())) {
    return `expected a host name, "*.domain" or an IP, optionally with ":port" (not a URL); received ${JSON.stringify(source)}`;
  }
  let text = entry.trim().toLowerCase();
  let port: number | undefined;
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    text = bracketed[1];
    port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
  } else if (isIP(text) !== 6) {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      const rawPort = text.slice(colon + 1);
      if (!/^\d{1,5}$/.test(rawPort)) return `invalid port in ${JSON.stringify(source)}`;
      port = Number(rawPort);
      text = text.slice(0, colon);
    }
  }
  if (port !== undefined && (port < 1 || port > 65535)) return `invalid port in ${JSON.stringify(source)}`;
  if (isIP(text)) return { host: text, wildcard: false, port, source };
  const wildcard = text.startsWith('*.');
  const name = wildcard ? text.slice(2) : text;
  const labels = name.split('.');
  if (!name || labels.some((l) => !HOST_LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1])) {
    return `expected a host name, "*.domain" or an IP, optionally with ":port"; received ${JSON.stringify(source)}`;
  }
  return { host: name, wildcard, port, source };
}

/** The rule that allows `hostname:port`, if any. Exact entries win over wildcards. */
export function matchAllowHost(rules: readonly AllowHostRule[], hostname: string, port: number): AllowHostRule | undefined {
  const host = normaliseHost(hostname);
  const portOk = (r: AllowHostRule) => r.port === undefined || r.port === port;
  return (
    rules.find((r) => !r.wildcard && r.host === host && portOk(r)) ??
    rules.find((r) => r.wildcard && host.endsWith('.' + r.host) && portOk(r))
  );
}

/** Strips IPv6 brackets and a trailing dot; lowercases. */
export function normaliseHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local (AWS metadata fd00:ec2::254 too)
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/** True for loopback, private, link-local, metadata, multicast, reserved and unspecified addresses. */
export function isPrivateAddress(address: string): boolean {
  const ip = normaliseHost(address);
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family !== 6) return true; // Not an address: refuse rather than guess.
  const embedded = embeddedIPv4(ip);
  if (embedded) return blocked.check(embedded, 'ipv4');
  return blocked.check(ip, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible or NAT64 (64:ff9b::) IPv6 address. */
function embeddedIPv4(ip: string): string | undefined {
  const words = expandIPv6(ip);
  if (!words) return undefined;
  const zeros = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  const mapped = zeros(0, 5) && (words[5] === 0xffff || words[5] === 0);
  const nat64 = words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6);
  if (!mapped && !nat64) return undefined;
  if (zeros(0, 8) || (zeros(0, 7) && words[7] === 1)) return undefined; // :: and ::1 stay IPv6
  return [words[6] >> 8, words[6] & 255, words[7] >> 8, words[7] & 255].join('.');
}

function expandIPv6(ip: string): number[] | undefined {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const part = (s: string | undefined) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const left = part(head);
  const right = part(tail);
  if (tail === undefined) return left.length === 8 ? left : undefined;
  return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}
