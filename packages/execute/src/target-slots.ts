/**
 * In-flight attempts per endpoint (origin) in one executor process, capped, so a slow or dead target can
 * hold at most `perTarget` of the process's slots and the others keep serving every other target. A job
 * whose target is full is postponed, not sent (like an open circuit), and comes back after
 * {@link busyDelayMs}.
 */
export class TargetSlots {
  readonly perTarget: number;
  readonly #inFlight = new Map<string, number>();

  constructor(perTarget: number) {
    if (!Number.isInteger(perTarget) || perTarget < 1)
      throw new RangeError('perTarget must be a positive integer');
    this.perTarget = perTarget;
  }

  /** Takes a slot for the origin when one is free; answers whether it did. */
  tryAcquire(origin: string): boolean {
    const now = this.#inFlight.get(origin) ?? 0;
    if (now >= this.perTarget) return false;
    this.#inFlight.set(origin, now + 1);
    return true;
  }

  /** Gives back a slot {@link tryAcquire} took. */
  release(origin: string): void {
    const now = this.#inFlight.get(origin) ?? 0;
    if (now <= 1) this.#inFlight.delete(origin);
    else this.#inFlight.set(origin, now - 1);
  }

  /** Attempts in flight to the origin now. */
  inFlight(origin: string): number {
    return this.#inFlight.get(origin) ?? 0;
  }
}

/**
 * How long a job postponed for a full target waits: 250 ms doubling with each earlier such postponement
 * of the job, up to 30 s, times a jitter in [0.5, 1.5), so a backlog behind a slow target does not come
 * back all at once nor churn the queue.
 */
export function busyDelayMs(earlierPostponements: number, random: () => number): number {
  const base = Math.min(30_000, 250 * 2 ** Math.min(earlierPostponements, 7));
  return Math.round(base * (0.5 + random()));
}
