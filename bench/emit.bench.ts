/**
 * Emit path: what `emit('user.registered', …)` costs the host with Hookline listening and 5 consumers
 * configured for the tenant, against the same emit with no listener; and the registration endpoint's
 * latency with Hookline on and off. Both sides run interleaved in one process, round after round.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { createUserRegisteredEvent, HooklineModule, USER_REGISTERED } from 'hookline';
import { defineConnector, z } from 'hookline/sdk';
import { UsersController } from '../sample/users/users.controller';
import { UsersService } from '../sample/users/users.service';
import { machine, summarize, table, printAndExit } from './stats';

const ROUNDS = 10;
const EMITS_PER_ROUND = 2_000;
const REQUESTS_PER_ROUND = 200;

/** Does nothing, fast: the benchmark measures Hookline's own cost, not a destination's. */
const noop = defineConnector({ type: 'noop', displayName: 'No-op', config: z.strictObject({}), deliver: async () => undefined });

const hooklineConfig = {
  tenants: { acme: { connectors: Array.from({ length: 5 }, (_, i) => ({ type: 'noop', name: `c${i}` })) } },
};

async function boot(withHookline: boolean): Promise<INestApplication> {
  @Module({
    imports: [
      EventEmitterModule.forRoot(),
      ...(withHookline ? [HooklineModule.forRoot({ config: hooklineConfig, connectors: [noop], logger: false, watchConfig: false })] : []),
    ],
    controllers: [UsersController],
    providers: [UsersService],
  })
  class BenchModule {}
  const app = await NestFactory.create(BenchModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

async function measureEmits(emitter: EventEmitter2, into: number[]): Promise<void> {
  for (let i = 0; i < EMITS_PER_ROUND; i++) {
    const event = createUserRegisteredEvent({ tenant: 'acme', user: { id: `u${i}`, email: `u${i}@example.com` } });
    const start = process.hrtime.bigint();
    emitter.emit(USER_REGISTERED, event);
    into.push(Number(process.hrtime.bigint() - start) / 1_000);
    if (i % 50 === 49) await tick(); // Let Hookline's deliveries run, as they would between requests.
  }
}

async function measureRequests(app: INestApplication, round: number, into: number[]): Promise<void> {
  const port = (app.getHttpServer().address() as AddressInfo).port;
  for (let i = 0; i < REQUESTS_PER_ROUND; i++) {
    const start = process.hrtime.bigint();
    const res = await fetch(`http://127.0.0.1:${port}/tenants/acme/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `r${round}-${i}@example.com` }),
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`registration answered ${res.status}`);
    into.push(Number(process.hrtime.bigint() - start) / 1_000_000);
  }
}

export async function main(): Promise<string> {
  const off = await boot(false);
  const on = await boot(true);
  const emit = { off: [] as number[], on: [] as number[] };
  const http = { off: [] as number[], on: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    await measureEmits(off.get(EventEmitter2), emit.off);
    await measureEmits(on.get(EventEmitter2), emit.on);
    await measureRequests(off, round, http.off);
    await measureRequests(on, round, http.on);
  }
  await new Promise((r) => setTimeout(r, 200));
  await off.close();
  await on.close();

  const e = { off: summarize(emit.off), on: summarize(emit.on) };
  const h = { off: summarize(http.off), on: summarize(http.on) };
  return [
    `## Emit path (${machine()})`,
    '',
    `${ROUNDS} interleaved rounds; ${e.on.n} emits and ${h.on.n} registrations per side.`,
    '',
    table(
      ['emit(user.registered)', 'median µs', 'p99 µs', 'added median µs', 'added p99 µs'],
      [
        ['no listener', e.off.median, e.off.p99, 0, 0],
        ['Hookline, 5 consumers', e.on.median, e.on.p99, e.on.median - e.off.median, e.on.p99 - e.off.p99],
      ],
    ),
    '',
    table(
      ['POST /tenants/acme/users', 'median ms', 'p99 ms', 'median ratio'],
      [
        ['Hookline off', h.off.median, h.off.p99, 1],
        ['Hookline on, 5 consumers', h.on.median, h.on.p99, h.on.median / h.off.median],
      ],
    ),
    '',
  ].join('\n');
}

if (require.main === module) {
  printAndExit(main());
}
