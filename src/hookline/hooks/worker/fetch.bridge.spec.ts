import { createServer, type Server } from 'node:http';
import { performFetch, type BridgeRequest, type Resolver } from './fetch.bridge';
import { parseAllowHost, type AllowHostRule } from './host-policy';

const rules = (...entries: string[]) => entries.map((e) => parseAllowHost(e) as AllowHostRule);
const get = (url: string, extra: Partial<BridgeRequest> = {}): BridgeRequest => ({ url, method: 'GET', headers: [], ...extra });

describe('performFetch', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['x-test'] ?? ''}${req.headers.authorization ? ' +auth' : ''}`);
      if (req.url === '/redirect-out') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
      if (req.url === '/redirect-in') return res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/big') return res.end('x'.repeat(2 * 1024 * 1024));
      res.writeHead(200, { 'content-type': 'text/plain', 'x-reply': 'yes' }).end('hello');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => server.close());

  const signal = new AbortController().signal;

  it('reaches a loopback address only through an exact entry naming it', async () => {
    const response = await performFetch(get(`http://127.0.0.1:${port}/ok`, { headers: [['x-test', '1']] }), rules(`127.0.0.1:${port}`), signal);
    expect(response).toMatchObject({ status: 200, body: 'hello' });
    expect(response.headers).toContainEqual(['x-reply', 'yes']);
    await expect(performFetch(get(`http://127.0.0.1:${port + 1}/`), rules(`127.0.0.1:${port}`), signal)).rejects.toThrow('not in allowHosts');
  });

  it.each([
    ['a host not listed', 'http://evil.com/', ['api.example.com'], 'evil.com:80 is not in allowHosts'],
    ['the metadata address', 'http://169.254.169.254/latest/meta-data', ['*.example.com'], 'not in allowHosts'],
    ['a decimal-encoded loopback', 'http://2130706433/', ['*.example.com'], '127.0.0.1:80 is not in allowHosts'],
    ['a hex-encoded loopback', 'http://0x7f.0.0.1/', ['api.example.com'], '127.0.0.1:80 is not in allowHosts'],
    ['an IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/', ['api.example.com'], 'is not in allowHosts'],
    ['a file URL', 'file:///etc/passwd', ['*.example.com'], 'only http and https'],
    ['credentials in the URL', 'http://user:pw@api.example.com/', ['api.example.com'], 'credentials'],
  ])('refuses %s', async (_name, url, allow, message) => {
    await expect(performFetch(get(url), rules(...allow), signal)).rejects.toThrow(message);
  });

  it('refuses a wildcard host that resolves to a private address (DNS is checked, not only names)', async () => {
    const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    await expect(performFetch(get(`http://rebind.example.com:${port}/ok`), rules('*.example.com'), signal, resolver)).rejects.toThrow(
      'resolves to a private or reserved address',
    );
    // An exact entry naming the host is the admin's explicit choice: allowed, and pinned to the checked address.
    const ok = await performFetch(get(`http://internal.example.com:${port}/ok`), rules('internal.example.com'), signal, resolver);
    expect(ok.status).toBe(200);
    // But never a link-local (cloud metadata) address through a name, even an exact one.
    const metadata: Resolver = async () => [{ address: '169.254.169.254', family: 4 }];
    await expect(performFetch(get('http://meta.example.com/'), rules('meta.example.com'), signal, metadata)).rejects.toThrow(
      'resolves to a private or reserved address',
    );
  });

  it('refuses header injection and forbidden headers', async () => {
    const allow = rules(`127.0.0.1:${port}`);
    await expect(performFetch(get(`http://127.0.0.1:${port}/`, { headers: [['x-a', 'b\r\nHost: evil']] }), allow, signal)).rejects.toThrow('line break');
    await expect(performFetch(get(`http://127.0.0.1:${port}/`, { headers: [['Host', 'evil']] }), allow, signal)).rejects.toThrow('cannot be set');
    await expect(performFetch(get(`http://127.0.0.1:${port}/`, { headers: [['bad name', 'x']] }), allow, signal)).rejects.toThrow('invalid header name');
  });

  it('drops credentials on a redirect to another origin, keeps them on the same origin', async () => {
    const auth: Array<string | undefined> = [];
    const other = createServer((req, res) => {
      auth.push(req.headers.authorization);
      if (req.url === '/hop') return res.writeHead(302, { location: `http://127.0.0.1:${port}/ok` }).end();
      if (req.url === '/same') return res.writeHead(302, { location: '/end' }).end();
      res.end('done');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherPort = (other.address() as { port: number }).port;
    const allow = rules(`127.0.0.1:${port}`, `127.0.0.1:${otherPort}`);
    const withAuth = (path: string) => get(`http://127.0.0.1:${otherPort}${path}`, { headers: [['authorization', 'Bearer s3cret'], ['x-test', 'kept']] });
    try {
      seen.length = 0;
      await expect(performFetch(withAuth('/hop'), allow, signal)).resolves.toMatchObject({ status: 200 });
      expect(seen).toEqual(['GET /ok kept']);
      await expect(performFetch(withAuth('/same'), allow, signal)).resolves.toMatchObject({ status: 200, body: 'done' });
      expect(auth).toEqual(['Bearer s3cret', 'Bearer s3cret', 'Bearer s3cret']);
    } finally {
      other.close();
    }
  });

  it('re-checks every redirect hop and caps the response size', async () => {
    const allow = rules(`127.0.0.1:${port}`);
    await expect(performFetch(get(`http://127.0.0.1:${port}/redirect-out`), allow, signal)).rejects.toThrow('169.254.169.254:80 is not in allowHosts');
    await expect(performFetch(get(`http://127.0.0.1:${port}/redirect-in`), allow, signal)).resolves.toMatchObject({ status: 200, body: 'hello' });
    await expect(performFetch(get(`http://127.0.0.1:${port}/big`), allow, signal)).rejects.toThrow('larger than');
  });
});
