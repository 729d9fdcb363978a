import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_RETRY, parseRetryAfter, retryDelay, retrySettings, validateRetry } from './retry-policy.ts';

describe('validateRetry', () => {
  it('gives the defaults for an absent retry, and fills what a partial one leaves out', () => {
    assert.deepEqual(validateRetry(undefined), { ok: true, value: DEFAULT_RETRY });
    assert.deepEqual(validateRetry(null), { ok: true, value: DEFAULT_RETRY });
    assert.deepEqual(DEFAULT_RETRY, {
      max_attempts: 8,
      initial_delay_ms: 1000,
      max_delay_ms: 3_600_000,
      timeout_ms: 10_000,
    });
    assert.deepEqual(validateRetry({ max_attempts: 3, timeout_ms: 2000 }), {
      ok: true,
      value: { ...DEFAULT_RETRY, max_attempts: 3, timeout_ms: 2000 },
    });
  });

  it('reports every problem with its path and rule', () => {
    const result = validateRetry({ max_attempts: 0, initial_delay_ms: 1.5, timeout_ms: '5', backoff: 'x' });
    assert.equal(result.ok, false);
    const problems = result.ok ? [] : result.problems.map(({ path, rule }) => [path, rule]);
    assert.deepEqual(problems, [
      ['retry.backoff', 'key_unknown'],
      ['retry.max_attempts', 'value_range'],
      ['retry.initial_delay_ms', 'value_type'],
      ['retry.timeout_ms', 'value_type'],
    ]);
    assert.match(
      result.ok ? '' : (result.problems[1]?.message ?? ''),
      /^retry\.max_attempts: rule value_range: .* got 0$/,
    );
  });

  it('refuses a non-object, out-of-range values and a max delay below the initial one', () => {
    assert.deepEqual(validateRetry([1], 'trigger.retry'), {
      ok: false,
      problems: [
        {
          path: 'trigger.retry',
          rule: 'value_type',
          message: 'trigger.retry: rule value_type: retry must be an object',
        },
      ],
    });
    const big = validateRetry({ max_attempts: 51, timeout_ms: 99 });
    assert.deepEqual(big.ok ? [] : big.problems.map((p) => p.rule), ['value_range', 'value_range']);
    const order = validateRetry({ initial_delay_ms: 5000, max_delay_ms: 1000 });
    assert.deepEqual(order.ok ? [] : order.problems.map((p) => [p.path, p.rule]), [
      ['retry.max_delay_ms', 'delay_order'],
    ]);
  });
});

describe('retryDelay', () => {
  const settings = retrySettings({ initial_delay_ms: 1000, max_delay_ms: 10_000 });

  it('draws from [0, initial * 2^(attempt-1)) with full jitter', () => {
    assert.equal(
      retryDelay(settings, 1, () => 0),
      0,
    );
    assert.equal(
      retryDelay(settings, 1, () => 0.5),
      500,
    );
    assert.equal(
      retryDelay(settings, 1, () => 0.999999),
      999,
    );
    assert.equal(
      retryDelay(settings, 2, () => 0.5),
      1000,
    );
    assert.equal(
      retryDelay(settings, 3, () => 0.5),
      2000,
    );
    assert.equal(
      retryDelay(settings, 4, () => 0.999999),
      7999,
    );
  });

  it('caps the window at max_delay_ms, however many attempts', () => {
    assert.equal(
      retryDelay(settings, 5, () => 0.5),
      5000,
    );
    assert.equal(
      retryDelay(settings, 50, () => 0.999999),
      9999,
    );
    assert.equal(
      retryDelay(settings, 5000, () => 0.999999),
      9999,
    );
  });

  it('takes Retry-After instead of the jitter, bounded by max_delay_ms', () => {
    assert.equal(
      retryDelay(settings, 1, () => 0, 3000),
      3000,
    );
    assert.equal(
      retryDelay(settings, 1, () => 0, 60_000),
      10_000,
    );
    assert.equal(
      retryDelay(settings, 1, () => 0, 0),
      0,
    );
  });

  it('keeps a misbehaving random within bounds', () => {
    assert.equal(
      retryDelay(settings, 1, () => 7),
      1000,
    );
    assert.equal(
      retryDelay(settings, 1, () => -1),
      0,
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-06-11T09:00:00Z');

  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
  });

  it('reads an HTTP date relative to the clock; a past date is 0', () => {
    assert.equal(parseRetryAfter('Thu, 11 Jun 2026 09:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Thu, 11 Jun 2026 08:00:00 GMT', now), 0);
  });

  it('is null when absent or unreadable', () => {
    for (const bad of [undefined, '', '-5', '1.5', 'soon', '12 34'])
      assert.equal(parseRetryAfter(bad, now), null, bad);
  });
});
