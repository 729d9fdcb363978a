import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideAfterAttempt } from './attempt-decision.ts';
import { breakerSignal } from './breaker-signal.ts';
import { classifyResponse, type DeliveryOutcome } from './delivery-outcome.ts';
import { retrySettings } from './retry-policy.ts';

function classify(status: number, extra: { retry_after_ms?: number; location?: string; body?: string } = {}) {
  return classifyResponse({
    status,
    latency_ms: 12,
    retry_after_ms: extra.retry_after_ms ?? null,
    ...(extra.location === undefined ? {} : { location: extra.location }),
    body: extra.body ?? '',
  });
}

describe('classifyResponse', () => {
  it('2xx is delivered', () => {
    for (const status of [200, 201, 202, 204, 299]) {
      assert.deepEqual(classify(status), { kind: 'delivered', status, latency_ms: 12 });
    }
  });

  it('410 is gone', () => assert.deepEqual(classify(410), { kind: 'gone', status: 410 }));

  it('a 4xx other than 408, 409, 425 and 429 fails for good, with the start of the body', () => {
    for (const status of [400, 401, 403, 404, 405, 413, 422, 451]) {
      assert.equal(classify(status).kind, 'failed', String(status));
    }
    assert.deepEqual(classify(400, { body: '{"error":"bad"}' }), {
      kind: 'failed',
      status: 400,
      error: 'HTTP 400: {"error":"bad"}',
    });
  });

  it('408, 409, 425, 429 and 5xx are retried, carrying Retry-After', () => {
    for (const status of [408, 409, 425, 429, 500, 502, 503, 504]) {
      assert.equal(classify(status).kind, 'retry', String(status));
    }
    assert.deepEqual(classify(429, { retry_after_ms: 5000 }), {
      kind: 'retry',
      status: 429,
      error: 'HTTP 429',
      retry_after_ms: 5000,
    });
  });

  it('3xx is a failure (redirects are not followed) and is retried', () => {
    assert.deepEqual(classify(301, { location: 'http://169.254.169.254/' }), {
      kind: 'retry',
      status: 301,
      error: 'HTTP 301: redirect to http://169.254.169.254/ not followed',
    });
    for (const status of [300, 302, 303, 307, 308]) assert.equal(classify(status).kind, 'retry');
  });

  it('a status outside 2xx–5xx is retried', () => {
    assert.equal(classify(101).kind, 'retry');
    assert.equal(classify(600).kind, 'retry');
  });
});

describe('decideAfterAttempt', () => {
  const settings = retrySettings({ max_attempts: 3, initial_delay_ms: 1000, max_delay_ms: 8000 });
  const half = () => 0.5;
  const retry: DeliveryOutcome = { kind: 'retry', status: 503, error: 'HTTP 503' };

  it('succeeds, disables, or dead-letters at once as the outcome says', () => {
    assert.deepEqual(
      decideAfterAttempt({ kind: 'delivered', status: 200, latency_ms: 1 }, 1, settings, half),
      {
        next: 'succeed',
      },
    );
    assert.deepEqual(decideAfterAttempt({ kind: 'gone', status: 410 }, 1, settings, half), {
      next: 'disable',
    });
    assert.deepEqual(
      decideAfterAttempt({ kind: 'failed', status: 404, error: 'HTTP 404' }, 1, settings, half),
      {
        next: 'dead_letter',
        reason: 'permanent',
      },
    );
    const refused: DeliveryOutcome = { kind: 'refused', rule: 'address_not_allowed', error: 'x' };
    assert.deepEqual(decideAfterAttempt(refused, 1, settings, half), {
      next: 'dead_letter',
      reason: 'refused',
    });
  });

  it('retries with backoff until max_attempts, then dead-letters', () => {
    assert.deepEqual(decideAfterAttempt(retry, 1, settings, half), { next: 'retry', delay_ms: 500 });
    assert.deepEqual(decideAfterAttempt(retry, 2, settings, half), { next: 'retry', delay_ms: 1000 });
    assert.deepEqual(decideAfterAttempt(retry, 3, settings, half), {
      next: 'dead_letter',
      reason: 'attempts_exhausted',
    });
  });

  it("honours the target's Retry-After, bounded by max_delay_ms", () => {
    const later: DeliveryOutcome = { ...retry, retry_after_ms: 4000 };
    assert.deepEqual(decideAfterAttempt(later, 1, settings, half), { next: 'retry', delay_ms: 4000 });
    const far: DeliveryOutcome = { ...retry, retry_after_ms: 3_600_000 };
    assert.deepEqual(decideAfterAttempt(far, 1, settings, half), { next: 'retry', delay_ms: 8000 });
  });
});

describe('breakerSignal', () => {
  it('counts unreachable, timed-out, 5xx, 408 and 429 as failures; other answers as the endpoint being up', () => {
    const signal = (outcome: DeliveryOutcome) => breakerSignal(outcome);
    assert.equal(signal({ kind: 'retry', error: 'ECONNREFUSED' }), 'failure');
    for (const status of [500, 503, 408, 429])
      assert.equal(signal({ kind: 'retry', status, error: '' }), 'failure');
    for (const status of [301, 409, 425])
      assert.equal(signal({ kind: 'retry', status, error: '' }), 'success');
    assert.equal(signal({ kind: 'delivered', status: 200, latency_ms: 1 }), 'success');
    assert.equal(signal({ kind: 'failed', status: 400, error: '' }), 'success');
    assert.equal(signal({ kind: 'gone', status: 410 }), 'success');
    assert.equal(signal({ kind: 'refused', rule: 'url_scheme', error: '' }), 'ignore');
  });
});
