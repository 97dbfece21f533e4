import { Controller, Get, Inject, NotFoundException, Param, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { HOOKLINE_OPTIONS } from '../../hookline.module-definition';
import type { HooklineModuleOptions } from '../../hookline.options';
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
@Controller('hookline/console')
export class ConsoleController {
  private readonly assets = new ConsoleAssets();

  constructor(@Inject(HOOKLINE_OPTIONS) private readonly options: HooklineModuleOptions) {}

  @Get()
  page(@Req() req: HttpRequest, @Res() res: HttpResponse): void {
    this.ensureServed();
    const path = (req.originalUrl ?? req.url ?? '/hookline/console').split('?')[0].replace(/\/+$/, '');
    send(req, res, this.assets.page(path), 'no-store');
  }

  @Get(':file')
  file(@Param('file') file: string, @Req() req: HttpRequest, @Res() res: HttpResponse): void {
    this.ensureServed();
    const asset = this.assets.asset(file);
    if (!asset) throw new NotFoundException(`the console has no file ${JSON.stringify(file)}`);
    send(req, res, asset, 'no-cache');
  }

  private ensureServed(): void {
    // The console exists where the admin API does: closed without a token.
    if (!this.options.admin?.token) throw new NotFoundException();
    if (!this.assets.built) {
      throw new ServiceUnavailableException(`the console is not built (no ${this.assets.dir}/index.html): run npm run build`);
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
