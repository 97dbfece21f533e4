import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HooklineError } from '../../core/errors/hookline.error';
import { AdminApiError, type AdminErrorBody, type AdminErrorIssue } from './admin-error';

interface HttpResponse {
  headersSent?: boolean;
  status(code: number): HttpResponse;
  json(body: unknown): void;
}

/** The code of a status when a plain Nest exception is thrown: `NOT_FOUND`, `UNAUTHORIZED`, … */
const CODES: Record<number, string> = {
  400: 'INVALID_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/**
 * Answers every error of an admin controller as `{ error: { code, message, issues? } }`: an
 * {@link AdminApiError} as it is, another Nest HTTP exception by its status, a {@link HooklineError} that
 * carries an HTTP `status` (a refused tenant write) with its own code and issues, anything else as 500
 * `INTERNAL` (logged; its message is not shown).
 */
@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HooklineAdmin');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponse>();
    const [status, body] = toErrorAnswer(exception);
    if (status >= 500) this.logger.error(`admin request failed: ${exception instanceof Error ? exception.stack : String(exception)}`);
    if (response.headersSent) return;
    response.status(status).json(body);
  }
}

export function toErrorAnswer(exception: unknown): [number, AdminErrorBody] {
  if (exception instanceof AdminApiError) return [exception.getStatus(), exception.toBody()];
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return [status, { error: { code: CODES[status] ?? `HTTP_${status}`, message: messageOf(exception) } }];
  }
  if (exception instanceof HooklineError && typeof (exception as { status?: unknown }).status === 'number') {
    const { status, issues } = exception as HooklineError & { status: number; issues?: Array<{ path: string; message: string; code?: string }> };
    // An issue keeps its own code (a refused tenant definition: ENV_NOT_ALLOWED, PRIVATE_HOST, …).
    const list: AdminErrorIssue[] | undefined = issues?.length ? issues.map((i) => ({ path: i.path, message: i.message, ...(i.code ? { code: i.code } : {}) })) : undefined;
    return [status, { error: { code: exception.code, message: exception.message.split('\n')[0], ...(list ? { issues: list } : {}) } }];
  }
  return [500, { error: { code: 'INTERNAL', message: 'the request failed; the server logged why' } }];
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
