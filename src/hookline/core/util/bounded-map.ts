/** Drops a Map's oldest entries (insertion order) until it holds at most `max`. */
export function evictOldest<K, V>(map: Map<K, V>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
