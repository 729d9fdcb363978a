import { type Connection, type RateLimit, SluiceError } from '@sluice/core';

/**
 * Per-connection token buckets for the ingest routes: by default `rate` requests per second with bursts up
 * to `burst`, or the connection's own rate limit. In-process; each receiver process enforces its own share.
 */
export class ConnectionQuota {
  readonly #default: RateLimit;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: { rate: number; burst: number; now?: () => number }) {
    this.#default = { per_second: options.rate, burst: options.burst };
    this.#now = options.now ?? (() => Date.now());
  }

  /** Takes one token for the connection, or refuses with `quota_exceeded` and the seconds to wait. */
  admit(connection: Pick<Connection, 'id' | 'rate_limit'>): void {
    const wait = this.take(connection.id, connection.rate_limit);
    if (wait > 0) {
      throw new SluiceError('quota_exceeded', `Connection "${connection.id}" is over its request rate.`, {
        retryAfter: wait,
      });
    }
  }

  /** Takes one token; returns 0 when allowed, else the seconds to wait (for Retry-After). */
  take(connectionId: string, limit: RateLimit | null = null): number {
    const { per_second: rate, burst } = limit ?? this.#default;
    const now = this.#now();
    const bucket = this.#buckets.get(connectionId) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.#buckets.set(connectionId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
  }
}
