/**
 * Per-connection token buckets for the ingest routes: `rate` requests per second with bursts up to
 * `burst`. In-process; each receiver process enforces its own share.
 */
export class ConnectionQuota {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: { rate: number; burst: number; now?: () => number }) {
    this.#rate = options.rate;
    this.#burst = options.burst;
    this.#now = options.now ?? (() => Date.now());
  }

  /** Takes one token; returns 0 when allowed, else the seconds to wait (for Retry-After). */
  take(connectionId: string): number {
    const now = this.#now();
    const bucket = this.#buckets.get(connectionId) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate);
    bucket.at = now;
    this.#buckets.set(connectionId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#rate));
  }
}
