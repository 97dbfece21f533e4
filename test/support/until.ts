import { createUserRegisteredEvent, type TransportOptions, type UserRegisteredEvent } from 'hookline';

/** Polls `condition` every 25 ms until it holds; fails naming `what` when `timeoutMs` runs out. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The transports a suite runs on, for `describe.each`: inline always, bullmq when a Redis is given (from
 * `redisUrlOrSkip`); each test passes its own key prefix.
 */
export function transportsUnderTest(redisUrl: string | undefined): Array<[string, (prefix: string) => TransportOptions]> {
  const transports: Array<[string, (prefix: string) => TransportOptions]> = [['inline', () => ({ type: 'inline' })]];
  if (redisUrl) transports.push(['bullmq', (prefix) => ({ type: 'bullmq', url: redisUrl, prefix })]);
  return transports;
}

let signUpSeq = 0;
/** `n` sign-up events for `tenant`, each with a user of its own across the whole test file. */
export function signUps(tenant: string, n: number): UserRegisteredEvent[] {
  return Array.from({ length: n }, () => {
    signUpSeq++;
    return createUserRegisteredEvent({ tenant, user: { id: `u${signUpSeq}`, email: `u${signUpSeq}@example.com` } });
  });
}
