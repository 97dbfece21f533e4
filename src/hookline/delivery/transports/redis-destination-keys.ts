import { createHash } from 'node:crypto';

/**
 * The Redis keys of one destination (its slots, waiting list, circuit), under one hash tag:
 * `{<prefix>:dest:<hash>}:<what>`. One tag keeps a destination's keys in one Redis Cluster slot, so each
 * Lua script touches a single slot; different destinations spread over the cluster. The hash hides the
 * tenant and URL from anyone listing keys.
 */
export function destinationTag(prefix: string, destination: string): string {
  const hash = createHash('sha256').update(destination).digest('hex').slice(0, 20);
  return `{${prefix}:dest:${hash}}`;
}
