import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DELIVERY_FORMATS, type HttpAction } from '@sluice/core';
import { decodeHttp } from '@sluice/core/codecs';
import { Webhook } from 'standardwebhooks';
import { decideAfterAttempt } from './attempt-decision.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import type { DeliveryOutcome } from './delivery-outcome.ts';
import { buildDeliveryRequest } from './delivery-request.ts';
import { HttpDeliverer } from './http-deliverer.ts';
import { retrySettings } from './retry-policy.ts';
import { envelopeFixture, TEST_SECRET } from './testing/envelope-fixture.ts';
import { answer, type ReceivedRequest, startReceiver, type TestReceiver } from './testing/receiver.ts';

const envelope = envelopeFixture();

/** A receiver that verifies like a Standard Webhooks consumer would, answering 401 when it does not verify. */
function verifying(status = 204) {
  return (request: ReceivedRequest, response: import('node:http').ServerResponse) => {
    try {
      new Webhook(TEST_SECRET).verify(request.body, request.headers);
      response.writeHead(status).end();
    } catch (error) {
      response.writeHead(401).end((error as Error).message);
    }
  };
}

describe('http delivery end to end: build, send, verify on the receiving side', () => {
  let receiver: TestReceiver;
  let deliverer: HttpDeliverer;
  const action = (format: HttpAction['format']): HttpAction => ({
    type: 'http',
    url: `${receiver.origin}/hooks/in`,
    ...(format === undefined ? {} : { format }),
    headers: { 'X-Api-Key': 'k-1' },
  });

  before(async () => {
    receiver = await startReceiver(verifying());
    deliverer = new HttpDeliverer({ allowPrivate: true });
  });
  after(async () => {
    deliverer.close();
    await receiver.close();
  });

  for (const format of DELIVERY_FORMATS) {
    it(`${format}: the receiver verifies the signature with the standardwebhooks package`, async () => {
      const built = buildDeliveryRequest({
        action: action(format),
        secret: TEST_SECRET,
        idempotencyKey: `job_${format}`,
        envelope,
        nowMs: Date.now(),
      });
      assert.ok(built.ok);
      const count = receiver.requests.length;
      assert.equal((await deliverer.send(built.request)).kind, 'delivered');
      const got = receiver.requests[count]!;
      assert.equal(got.headers['webhook-id'], `job_${format}`);
      assert.equal(got.headers['x-api-key'], 'k-1');
      assert.match(got.headers['traceparent'] ?? '', new RegExp(`^00-${envelope.trace_id}-[0-9a-f]{16}-01$`));
      if (format === 'cloudevents') {
        const decoded = decodeHttp(got.headers, got.body);
        assert.ok(decoded.ok);
        assert.equal(decoded.value.events[0]?.id, envelope.event_id);
      }
    });
  }

  it('a forged signature is refused by the receiver, so the check above is real', async () => {
    const built = buildDeliveryRequest({
      action: action(undefined),
      secret: `whsec_${Buffer.from('another-secret-of-24-byt').toString('base64')}`,
      idempotencyKey: 'job_forged',
      envelope,
      nowMs: Date.now(),
    });
    assert.ok(built.ok);
    assert.equal((await deliverer.send(built.request)).kind, 'failed');
  });

  it('every retry carries the same webhook-id, each freshly signed, until it is delivered', async () => {
    let calls = 0;
    receiver.handle((request, response) => {
      calls += 1;
      if (calls < 3) {
        response.writeHead(503, { 'retry-after': '0' }).end();
        return;
      }
      verifying()(request, response);
    });
    const breaker = new CircuitBreaker();
    const settings = retrySettings({ max_attempts: 5, initial_delay_ms: 10, max_delay_ms: 50 });
    const start = receiver.requests.length;
    let outcome: DeliveryOutcome | null = null;
    for (let attempt = 1; attempt <= settings.max_attempts; attempt += 1) {
      const origin = new URL(receiver.origin).origin;
      assert.equal(breaker.canSend(origin).allowed, true);
      const built = buildDeliveryRequest({
        action: action('cloudevents'),
        secret: TEST_SECRET,
        idempotencyKey: 'job_retried',
        envelope,
        nowMs: Date.now(),
      });
      assert.ok(built.ok);
      outcome = await deliverer.send(built.request, { timeoutMs: settings.timeout_ms });
      breaker.record(origin, outcome);
      const decision = decideAfterAttempt(outcome, attempt, settings, Math.random);
      if (decision.next !== 'retry') break;
      await new Promise((resolve) => setTimeout(resolve, decision.delay_ms));
    }
    assert.equal(outcome?.kind, 'delivered');
    const seen = receiver.requests.slice(start);
    assert.equal(seen.length, 3);
    assert.deepEqual(new Set(seen.map((r) => r.headers['webhook-id'])), new Set(['job_retried']));
    receiver.handle(verifying());
  });

  it('a 410 from the receiver asks to disable the action', async () => {
    receiver.handle(answer(410));
    const built = buildDeliveryRequest({
      action: action(undefined),
      secret: TEST_SECRET,
      idempotencyKey: 'job_gone',
      envelope,
      nowMs: Date.now(),
    });
    assert.ok(built.ok);
    const outcome = await deliverer.send(built.request);
    assert.deepEqual(decideAfterAttempt(outcome, 1, retrySettings(), Math.random), { next: 'disable' });
    receiver.handle(verifying());
  });
});
