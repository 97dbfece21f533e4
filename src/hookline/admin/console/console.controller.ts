import { Controller, Get, Param, Req, Res, UseFilters } from '@nestjs/common';
import { z } from 'zod';
import { AdminApiError } from '../api/admin-error';
import { AdminExceptionFilter } from '../api/admin-exception.filter';
import { AdminRoute } from '../api/admin-route.decorator';
import { ConsoleAssets, type ConsoleAsset } from './console-assets';

interface HttpRequest {
  originalUrl?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}

interface HttpResponse {
  status(code: number): HttpResponse;
  setHeader(name: string, value: string): void;
  end(body?: Buffer): void;
}

/**
 * Only this host and no inline code: the page can reach nothing but the admin API it came from,
 * and nothing can frame it.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'self'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * The console: a static page and its two assets, served without auth (they hold no data); the page
 * then asks for an admin token and calls the admin API with it.
 */
@Controller('console')
@UseFilters(AdminExceptionFilter)
export class ConsoleController {
  private readonly assets = new ConsoleAssets();

  @Get()
  @AdminRoute({ summary: 'The console page (no auth: it asks for a token)', tags: ['console'], public: true, response: z.string(), responseMediaType: 'text/html', errors: [503] })
  page(@Req() req: HttpRequest, @Res() res: HttpResponse): void {
    this.ensureServed();
    // The page's URLs are relative to `<path>/console`: `<path>/console/` is sent there first.
    const [path, query] = (req.originalUrl ?? req.url ?? '').split('?', 2);
    if (path.endsWith('/')) {
      res.setHeader('location', `../console${query ? `?${query}` : ''}`);
      res.status(308).end();
      return;
    }
    send(req, res, this.assets.page(), 'no-cache');
  }

  @Get(':file')
  @AdminRoute({
    summary: "The console's script and style sheet",
    tags: ['console'],
    public: true,
    params: z.object({ file: z.enum(['app.js', 'app.css']) }),
    response: z.string(),
    responseMediaType: 'text/javascript',
    errors: [404, 503],
  })
  file(@Param('file') file: string, @Req() req: HttpRequest, @Res() res: HttpResponse): void {
    this.ensureServed();
    const asset = this.assets.asset(file);
    if (!asset || file === 'index.html') throw new AdminApiError(404, 'NOT_FOUND', `the console has no file ${JSON.stringify(file)}`);
    send(req, res, asset, 'no-cache');
  }

  private ensureServed(): void {
    if (!this.assets.built) {
      throw new AdminApiError(503, 'CONSOLE_NOT_BUILT', 'the console is not built (no index.html in the package\'s dist/console): run npm run build');
    }
  }
}

function send(req: HttpRequest, res: HttpResponse, asset: ConsoleAsset, cache: string): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  res.setHeader('cache-control', cache);
  res.setHeader('etag', asset.etag);
  res.setHeader('vary', 'accept-encoding');
  if (req.headers['if-none-match'] === asset.etag) {
    res.status(304).end();
    return;
  }
  res.setHeader('content-type', asset.type);
  const gzip = asset.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) res.setHeader('content-encoding', 'gzip');
  const body = gzip ? asset.gzip! : asset.body;
  res.setHeader('content-length', String(body.length));
  res.status(200).end(body);
}
