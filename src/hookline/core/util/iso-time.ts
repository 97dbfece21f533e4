let lastMs = Number.NaN;
let lastIso = '';

/**
 * `new Date(ms).toISOString()`, one string per millisecond: the records of the deliveries written in the same
 * millisecond (an event's six, their `running` and `succeeded` transitions) share it, rather than each
 * keeping its own copy and a `Date` made for it. An invalid time throws, as `toISOString` does.
 */
export function isoTime(ms: number = Date.now()): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
