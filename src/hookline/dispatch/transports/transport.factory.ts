import { OptionsInvalidError } from '../../errors/options-invalid.error';
import type { HooklineLogger } from '../../logging/hookline.logger';
import type { DeliveryExecutor } from '../delivery.executor';
import type { DeliveryLog } from '../delivery-log';
import { resolveBullmqOptions, type BullmqTransportOptions, type ResolvedBullmqOptions } from './bullmq.options';
import { createDeliveryQueue, RedisOutageLog, type DeliveryQueue } from './bullmq.queue';
import { BullmqTransport } from './bullmq.transport';
import { DEFAULT_KEEP_DEAD, InlineTransport, type InlineTransportOptions } from './inline.transport';
import type { Transport } from './transport';

/** The Redis side of the bullmq transport, shared by the transport and the delivery log. */
export interface BullmqParts {
  options: ResolvedBullmqOptions;
  queue: DeliveryQueue;
  outage: RedisOutageLog;
}

type TransportOptions = InlineTransportOptions | BullmqTransportOptions;

/** Validates `transport.type`; null for the inline transport. Creating the queue starts connecting to Redis. */
export function createBullmqParts(transport: TransportOptions | undefined, logger: HooklineLogger): BullmqParts | null {
  const type = transport?.type ?? 'inline';
  if (type === 'inline') return null;
  if (type !== 'bullmq') throw new OptionsInvalidError('transport.type', '"inline" or "bullmq"', type);
  const options = resolveBullmqOptions(transport as BullmqTransportOptions);
  const outage = new RedisOutageLog(logger, options.where);
  return { options, queue: createDeliveryQueue(options, outage), outage };
}

export interface TransportDeps {
  executor: DeliveryExecutor;
  deliveries: DeliveryLog;
  logger: HooklineLogger;
  concurrency: number;
  shutdown: AbortController;
}

export function createTransport(transport: TransportOptions | undefined, bullmq: BullmqParts | null, deps: TransportDeps): Transport {
  const { executor, deliveries, logger, concurrency, shutdown } = deps;
  if (bullmq) return new BullmqTransport(bullmq.queue, bullmq.options, executor, logger, bullmq.outage, concurrency, shutdown);
  const keepDead = (transport as InlineTransportOptions | undefined)?.keepDead ?? DEFAULT_KEEP_DEAD;
  if (!Number.isInteger(keepDead) || keepDead < 0) {
    throw new OptionsInvalidError('transport.keepDead', 'an integer >= 0', keepDead);
  }
  return new InlineTransport(executor, deliveries, logger, concurrency, keepDead);
}
