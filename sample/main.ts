import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestApplicationOptions } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EnvInvalidError, logFormatFromEnv, logLevelsFromEnv } from './app-env';
import { AppModule } from './app.module';
import { startTracingFromEnv } from './telemetry/tracing';
import { HooklineError } from 'hookline';

/** Request bodies above this are refused with 413. */
export const BODY_LIMIT = '16kb';

export async function createApp(options: NestApplicationOptions = {}): Promise<NestExpressApplication> {
  // LOG_LEVEL (default log): the lowest level printed. HOOKLINE_LOG_FORMAT=json: every line (Nest's and
  // Hookline's, fields included) as one JSON object.
  const logLevels = logLevelsFromEnv();
  const logger = logFormatFromEnv() === 'json' ? new ConsoleLogger({ json: true, logLevels }) : undefined;
  // HOOKLINE_TRACES=console: spans printed to stdout (a real app starts its OpenTelemetry SDK first thing).
  startTracingFromEnv();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    logger: logger ?? logLevels,
    // A browser with the console open keeps connections, one of them maybe never used (a preconnect):
    // on shutdown, after Hookline has drained its deliveries, the server destroys them rather than
    // waiting for the browser to let go.
    forceCloseConnections: true,
    ...options,
    bodyParser: false,
    // Errors reach the caller (main prints a bad config's message alone) instead of aborting the process.
    abortOnError: false,
  });
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.enableShutdownHooks();
  return app;
}

async function main(): Promise<void> {
  const logger = new Logger('Main');
  try {
    const app = await createApp();
    const port = Number(process.env.PORT ?? 3000);
    await app.listen(port, '127.0.0.1');
    logger.log(`Example app listening on http://127.0.0.1:${port} (POST /tenants/:tenant/users)`);
  } catch (error) {
    // A bad config or environment is the common case: print its message alone, without a stack, and exit non-zero.
    const known = error instanceof HooklineError || error instanceof EnvInvalidError;
    logger.error(known ? (error as Error).message : (error as Error).stack);
    process.exit(1);
  }
}

if (require.main === module) void main();
