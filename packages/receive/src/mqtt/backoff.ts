/** Exponential backoff with a cap: `base · 2^attempt`, never above `max`, jittered down by up to a fifth. */
export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 500, maxMs: 30_000 };

/** The wait before reconnect attempt `attempt` (0 for the first), in ms. `random` is in [0, 1). */
export function backoffDelay(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const exponential = backoff.baseMs * 2 ** Math.min(attempt, 30);
  const capped = Math.min(backoff.maxMs, exponential);
  return Math.round(capped * (1 - random() * 0.2));
}
