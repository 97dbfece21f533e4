import { OptionsInvalidError } from '../../core/errors/options-invalid.error';
import type { HooklineLogger } from '../../core/logging/hookline.logger';
import type { DeliveryExecutor } from '../executor/delivery.executor';
import type { DeliveryRecords } from '../records/delivery-records';
import { DEFAULT_RETENTION_SECONDS } from '../records/delivery-log';
import { BullmqConnections } from './bullmq.connections';
import { resolveBullmqOptions, type BullmqTransportOptions } from './bullmq.options';
import { BullmqTransport } from './bullmq.transport';
import { DEFAULT_KEEP_DEAD, InlineTransport, type InlineTransportOptions } from './inline.transport';
import type { Transport } from './transport';

type TransportOptions = InlineTransportOptions | BullmqTransportOptions;

/** Validates `transport.type`; null for the inline transport. Creating the queue starts connecting to Redis. */
export function createBullmqConnections(
  transport: TransportOptions | undefined,
  concurrency: number,
  logger: HooklineLogger,
  retentionSeconds?: number,
): BullmqConnections | null {
  const type = transport?.type ?? 'inline';
  if (type === 'inline') return null;
  if (type !== 'bullmq') throw new OptionsInvalidError('transport.type', '"inline" or "bullmq"', type);
  return new BullmqConnections(resolveBullmqOptions(transport as BullmqTransportOptions, concurrency, retentionSeconds), logger);
}

export interface TransportDeps {
  executor: DeliveryExecutor;
  records: DeliveryRecords;
  logger: HooklineLogger;
  shutdown: AbortController;
  /** How long payloads are kept (inline: dead deliveries' events, for replay). @default 7 days */
  retentionSeconds?: number;
}

export function createTransport(
  transport: TransportOptions | undefined,
  bullmq: BullmqConnections | null,
  deps: TransportDeps,
): Transport {
  const { executor, records, logger, shutdown, retentionSeconds = DEFAULT_RETENTION_SECONDS } = deps;
  if (bullmq) return new BullmqTransport(bullmq, executor, logger, shutdown);
  const keepDead = (transport as InlineTransportOptions | undefined)?.keepDead ?? DEFAULT_KEEP_DEAD;
  if (!Number.isInteger(keepDead) || keepDead < 0) {
    throw new OptionsInvalidError('transport.keepDead', 'an integer >= 0', keepDead);
  }
  // The executor bounds the requests in flight; inline hands it every job (see InlineTransport).
  return new InlineTransport(executor, records, logger, Number.POSITIVE_INFINITY, keepDead, retentionSeconds * 1000);
}
