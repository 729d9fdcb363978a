import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RETRY_LIMITS, type RetrySettings, retryDelay } from './retry-policy.ts';

const settings: fc.Arbitrary<RetrySettings> = fc
  .record({
    max_attempts: fc.integer(RETRY_LIMITS.max_attempts),
    initial_delay_ms: fc.integer(RETRY_LIMITS.initial_delay_ms),
    max_delay_ms: fc.integer(RETRY_LIMITS.max_delay_ms),
    timeout_ms: fc.integer(RETRY_LIMITS.timeout_ms),
  })
  .filter((s) => s.max_delay_ms >= s.initial_delay_ms);
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('retryDelay (property)', () => {
  it('is an integer in [0, max_delay_ms] for every attempt, draw and Retry-After', () => {
    fc.assert(
      fc.property(
        settings,
        fc.integer({ min: 1, max: 10_000 }),
        unit,
        fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }),
        (s, attempt, draw, retryAfter) => {
          const delay = retryDelay(s, attempt, () => draw, retryAfter);
          assert.ok(Number.isInteger(delay));
          assert.ok(delay >= 0 && delay <= s.max_delay_ms, `${delay} outside [0, ${s.max_delay_ms}]`);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('stays below the attempt window initial * 2^(attempt-1) when it is under the cap', () => {
    fc.assert(
      fc.property(settings, fc.integer({ min: 1, max: 40 }), unit, (s, attempt, draw) => {
        const window = Math.min(s.max_delay_ms, s.initial_delay_ms * 2 ** (attempt - 1));
        const delay = retryDelay(s, attempt, () => draw);
        assert.ok(delay <= window && (window === 0 || delay < window), `${delay} vs window ${window}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('never shrinks the window as attempts go up', () => {
    fc.assert(
      fc.property(settings, fc.integer({ min: 1, max: 60 }), (s, attempt) => {
        const near1 = () => 1 - Number.EPSILON;
        assert.ok(retryDelay(s, attempt + 1, near1) >= retryDelay(s, attempt, near1));
      }),
    );
  });
});
