/** Exponential backoff with full jitter: `failures` 1 → up to `minMs`, doubling to at most `maxMs`. */
export function backoffMs(
  failures: number,
  bounds: { readonly minMs: number; readonly maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(bounds.maxMs, bounds.minMs * 2 ** Math.max(0, failures - 1));
  return Math.round(bounds.minMs / 2 + random() * (ceiling - bounds.minMs / 2));
}
