/** Time as a pacer sees it: a clock in ms and a way to wait. Injected so tests measure pacing exactly. */
export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realPacerClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Spaces out work at `ratePerSecond`: the n-th `next()` resolves no earlier than (n − 1) / rate seconds
 * after the first, so a bulk replay never floods the queue or a target. A slow item does not earn a burst:
 * the next slot is counted from the later of the planned slot and now.
 */
export class Pacer {
  readonly #intervalMs: number;
  readonly #clock: PacerClock;
  #nextAt: number | undefined;

  constructor(ratePerSecond: number, clock: PacerClock = realPacerClock) {
    if (!(ratePerSecond > 0)) throw new RangeError('ratePerSecond must be above 0');
    this.#intervalMs = 1000 / ratePerSecond;
    this.#clock = clock;
  }

  async next(): Promise<void> {
    const now = this.#clock.now();
    const at = this.#nextAt === undefined ? now : Math.max(this.#nextAt, now);
    if (at > now) await this.#clock.sleep(at - now);
    this.#nextAt = at + this.#intervalMs;
  }
}
