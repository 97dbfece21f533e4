import { isPrivateAddress, matchAllowHost, parseAllowHost, type AllowHostRule } from './host-policy';

const rules = (...entries: string[]) => entries.map((e) => parseAllowHost(e) as AllowHostRule);

describe('allowHosts entries', () => {
  it.each([
    ['api.example.com', { host: 'api.example.com', wildcard: false, port: undefined }],
    ['*.Example.com:8443', { host: 'example.com', wildcard: true, port: 8443 }],
    ['127.0.0.1:8080', { host: '127.0.0.1', wildcard: false, port: 8080 }],
    ['[::1]:9000', { host: '::1', wildcard: false, port: 9000 }],
    ['fd00:ec2::254', { host: 'fd00:ec2::254', wildcard: false, port: undefined }],
  ])('parses %s', (entry, expected) => {
    expect(parseAllowHost(entry)).toMatchObject(expected);
  });

  it.each(['', 'http://x.com', 'a..b', '*.', 'x.com:99999', 'x.com:abc', '*.*.com', '-x.com'])('rejects %j', (entry) => {
    expect(typeof parseAllowHost(entry)).toBe('string');
  });

  it('matches exact hosts before wildcards, and ports when given', () => {
    const list = rules('*.example.com', 'api.example.com:443');
    expect(matchAllowHost(list, 'api.example.com', 443)?.wildcard).toBe(false);
    expect(matchAllowHost(list, 'api.example.com', 80)?.wildcard).toBe(true);
    expect(matchAllowHost(list, 'example.com', 443)).toBeUndefined();
    expect(matchAllowHost(list, 'evilexample.com', 443)).toBeUndefined();
    expect(matchAllowHost(rules('127.0.0.1:8080'), '127.0.0.1', 8081)).toBeUndefined();
  });
});

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '224.0.0.1',
    '255.255.255.255', '::1', '::', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::a00:1', 'not-an-ip',
  ])('refuses %s', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:8.8.8.8'])('allows %s', (address) =>
    expect(isPrivateAddress(address)).toBe(false),
  );
});
