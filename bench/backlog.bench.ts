/**
 * Backlog: the memory a delivery holds while it waits in this process (inline transport) for its
 * destination's pace, against the same delivery once it is done, read as the live heap after a full
 * collection. Per case, a fresh Nest app in this process takes BENCH_BACKLOG (5,000) events for a tenant with
 * one consumer:
 *  - `events alone`: the events kept in an array, no Hookline (what a waiting delivery keeps of its event);
 *  - `delivered`: a connector that answers at once: what stays is the delivery's record in the in-memory log;
 *  - `held in its lane`: the same connector paced at one request per 20 s: every delivery but the first
 *    waits in its lane as an attempt, with its record and its event (publishing must take under 20 s, or a
 *    second request goes and the case's check fails);
 *  - `deferred`: paced at one an hour, past the executor's `maxPacingWaitMs`: the lane hands the deliveries
 *    back to the transport, each a job on a timer, with its record and its event.
 * Cases alternate, BENCH_ROUNDS (3) rounds. What it is for: sizing a backlog (`maxWaitingPerDestination`,
 * 10,000 by default, is that many times a waiting figure), and reading what a waiting delivery keeps alive
 * through each scavenge of the host's heap.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { createUserRegisteredEvent, HooklineModule, HooklineService, type DeliveryRecord, type UserRegisteredEvent } from 'hookline';
import { defineConnector, z } from 'hookline/sdk';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { machine, median, printAndExit, table } from './stats';

const N = Number(process.env.BENCH_BACKLOG ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

type Case = 'events alone' | 'delivered' | 'held in its lane' | 'deferred';
const CASES: Case[] = ['events alone', 'delivered', 'held in its lane', 'deferred'];

/**
 * The connector's pace per case: none; one request per 20 s (the next turn is within the executor's
 * `maxPacingWaitMs`, 30 s, so every delivery waits in the lane as an attempt); one an hour (past it, so the
 * lane hands its deliveries back to the transport, deferred: a timer and the job each).
 */
const PACE: Partial<Record<Case, number>> = { 'held in its lane': 20_000, deferred: 3_600_000 };

function connector(perMs: number | undefined) {
  return defineConnector({
    type: 'sink',
    displayName: 'Answers at once',
    config: z.strictObject({}),
    ...(perMs ? { rateLimit: () => ({ key: 'sink', requests: 1, perMs }) } : {}),
    deliver: async () => undefined,
  });
}

/** A sign-up as the example app makes it: a `randomUUID()` user id, the delivery benchmark's body. */
function event(i: number): UserRegisteredEvent {
  return createUserRegisteredEvent({
    tenant: 'acme',
    user: {
      id: randomUUID(),
      email: `user-${i}@example.com`,
      username: `user${i}`,
      phoneNumber: '+44 20 7946 0958',
      user_metadata: { firstName: 'Ada', interests: ['mathematics', 'poetry', 'engines'], locale: 'en-GB' },
      app_metadata: { plan: 'enterprise', roles: ['admin'] },
    },
  });
}

function liveHeap(): number {
  // Twice: the first may leave what finalizers release.
  global.gc!();
  global.gc!();
  return process.memoryUsage().heapUsed;
}

async function boot(perMs: number | undefined): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventEmitterModule.forRoot(),
      HooklineModule.forRoot({ connectors: [connector(perMs)], logger: false, watchConfig: false, config: { tenants: { acme: { connectors: [{ type: 'sink' }] } } } }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

/** Bytes of live heap per event or delivery the case keeps. */
async function measure(which: Case, round: number): Promise<number> {
  if (which === 'events alone') {
    const kept: UserRegisteredEvent[] = [];
    const before = liveHeap();
    for (let i = 0; i < N; i++) kept.push(event(round * 1e6 + i));
    const after = liveHeap();
    if (kept.length !== N) throw new Error('lost events');
    return (after - before) / N;
  }
  const app = await boot(PACE[which]);
  try {
    const hookline = app.get(HooklineService);
    // Warm: the code paths are compiled and the lane exists (paced: its one request of the period is spent).
    for (let i = 0; i < 100; i++) await hookline.publish(event(round * 1e6 + 900_000 + i));
    await sleep(200);
    const before = liveHeap();
    for (let i = 0; i < N; i++) await hookline.publish(event(round * 1e6 + i));
    await sleep(500);
    const after = liveHeap();
    // The case is what it says: every delivery published succeeded; or (paced) all but the warm-up's first
    // wait, held (never attempted, no error recorded) or deferred (RATE_LIMITED: not attempted, retried later).
    const expected = which === 'delivered' ? N + 100 : N + 99;
    const found = await count(hookline, which === 'delivered' ? 'succeeded' : 'pending', (r) =>
      which === 'held in its lane' ? r.lastError === null : which === 'deferred' ? !!r.lastError?.startsWith('RATE_LIMITED:') : true,
    );
    if (found !== expected) throw new Error(`${which}: expected ${expected} deliveries in that state, found ${found}`);
    return (after - before) / N;
  } finally {
    await app.close();
  }
}

/** Deliveries with that status whose record passes `check`. */
async function count(hookline: HooklineService, status: 'succeeded' | 'pending', check: (record: DeliveryRecord) => boolean): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await hookline.listDeliveries({ status, limit: 500, cursor });
    n += page.items.filter(check).length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return n;
}

async function main(): Promise<string> {
  const bytes: Record<Case, number[]> = { 'events alone': [], delivered: [], 'held in its lane': [], deferred: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const which of round % 2 ? [...CASES].reverse() : CASES) bytes[which].push(await measure(which, round));
  }
  const rows = CASES.map((which) => [which, Math.round(median(bytes[which])), bytes[which].map((b) => Math.round(b)).join(', ')]);
  const own = (which: Case) => Math.round(median(bytes[which]) - median(bytes.delivered) - median(bytes['events alone']));
  return (
    `${machine()}; ${N.toLocaleString('en')} deliveries per case, inline transport, medians of ${ROUNDS} rounds (alternating)\n\n` +
    table(['live heap per delivery', 'bytes (median)', 'rounds'], rows) +
    `\n\nA waiting delivery's own share (its case − delivered − its event): held in its lane ${own('held in its lane')} bytes, deferred ${own('deferred')} bytes.\n`
  );
}

printAndExit(main());
