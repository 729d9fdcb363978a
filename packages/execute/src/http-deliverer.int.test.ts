import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { DeliveryOutcome } from './delivery-outcome.ts';
import type { DeliveryRequest } from './delivery-request.ts';
import { HttpDeliverer } from './http-deliverer.ts';
import { answer, startReceiver, type TestReceiver } from './testing/receiver.ts';

const NOW = Date.parse('2026-06-11T09:00:00Z');

describe('HttpDeliverer: outcome of each kind of answer', () => {
  let receiver: TestReceiver;
  let deliverer: HttpDeliverer;
  const request = (path = '/hook'): DeliveryRequest => ({
    url: `${receiver.origin}${path}`,
    headers: { 'content-type': 'application/json', 'webhook-id': 'job_1' },
    body: Buffer.from('{"hello":"world"}'),
  });
  const sendTo = (
    handler: Parameters<TestReceiver['handle']>[0],
    timeoutMs = 2000,
  ): Promise<DeliveryOutcome> => {
    receiver.handle(handler);
    return deliverer.send(request(), { timeoutMs });
  };

  before(async () => {
    receiver = await startReceiver();
    // The tests' SLUICE_ALLOW_PRIVATE_TARGETS=1: the receiver is on 127.0.0.1.
    deliverer = new HttpDeliverer({ allowPrivate: true, now: () => NOW });
  });
  after(async () => {
    deliverer.close();
    await receiver.close();
  });

  it('POSTs the body and headers', async () => {
    const before = receiver.requests.length;
    assert.equal((await sendTo(answer(200))).kind, 'delivered');
    const got = receiver.requests[before];
    assert.equal(got?.method, 'POST');
    assert.equal(got?.path, '/hook');
    assert.equal(got?.headers['webhook-id'], 'job_1');
    assert.equal(got?.headers['content-length'], '17');
    assert.equal(got?.body.toString(), '{"hello":"world"}');
  });

  for (const status of [200, 201, 204]) {
    it(`${status} is delivered`, async () => {
      assert.deepEqual(await sendTo(answer(status)), { kind: 'delivered', status, latency_ms: 0 });
    });
  }

  it('a redirect is not followed and is a failure that is retried', async () => {
    const elsewhere = await startReceiver();
    try {
      const count = receiver.requests.length;
      const outcome = await sendTo(answer(301, { location: `${elsewhere.origin}/moved` }));
      assert.deepEqual(outcome, {
        kind: 'retry',
        status: 301,
        error: `HTTP 301: redirect to ${elsewhere.origin}/moved not followed`,
      });
      assert.equal(receiver.requests.length, count + 1);
      assert.equal(elsewhere.requests.length, 0);
      const metadata = await sendTo(answer(307, { location: 'http://169.254.169.254/latest/meta-data/' }));
      assert.equal(metadata.kind, 'retry');
    } finally {
      await elsewhere.close();
    }
  });

  for (const status of [400, 404]) {
    it(`${status} fails for good, with the start of the body`, async () => {
      assert.deepEqual(await sendTo(answer(status, {}, 'no such hook')), {
        kind: 'failed',
        status,
        error: `HTTP ${status}: no such hook`,
      });
    });
  }

  for (const status of [408, 409, 425]) {
    it(`${status} is retried`, async () => {
      assert.deepEqual(await sendTo(answer(status)), { kind: 'retry', status, error: `HTTP ${status}` });
    });
  }

  it('410 is gone', async () => {
    assert.deepEqual(await sendTo(answer(410)), { kind: 'gone', status: 410 });
  });

  it('429 with Retry-After in seconds is retried after that long', async () => {
    assert.deepEqual(await sendTo(answer(429, { 'retry-after': '7' })), {
      kind: 'retry',
      status: 429,
      error: 'HTTP 429',
      retry_after_ms: 7000,
    });
  });

  it('429 with Retry-After as an HTTP date is retried at that time', async () => {
    const at = new Date(NOW + 30_000).toUTCString();
    const outcome = await sendTo(answer(429, { 'retry-after': at }));
    assert.equal(outcome.kind === 'retry' && outcome.retry_after_ms, 30_000);
  });

  it('500 is retried with the start of its body; 503 with its Retry-After', async () => {
    assert.deepEqual(await sendTo(answer(500, {}, 'boom')), {
      kind: 'retry',
      status: 500,
      error: 'HTTP 500: boom',
    });
    assert.deepEqual(await sendTo(answer(503, { 'retry-after': '120' })), {
      kind: 'retry',
      status: 503,
      error: 'HTTP 503',
      retry_after_ms: 120_000,
    });
  });

  it('keeps at most 4 KiB of a body', async () => {
    const outcome = await sendTo(answer(500, {}, 'x'.repeat(200_000)));
    assert.equal(outcome.kind, 'retry');
    assert.equal(outcome.kind === 'retry' && outcome.error, `HTTP 500: ${'x'.repeat(4096)}`);
  });

  it('a target that does not answer in time is a retried timeout', async () => {
    const started = performance.now();
    const outcome = await sendTo(() => {}, 200);
    assert.deepEqual(outcome, { kind: 'retry', error: 'Timed out after 200 ms.' });
    assert.ok(performance.now() - started < 1500);
  });

  it('the timeout covers the body too', async () => {
    const outcome = await sendTo((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('partial');
    }, 300);
    assert.deepEqual(outcome, { kind: 'retry', error: 'Timed out after 300 ms.' });
  });

  it('a connection reset before the answer is retried', async () => {
    const outcome = await sendTo((_request, _response, raw) => raw.socket.destroy());
    assert.equal(outcome.kind, 'retry');
    assert.match(outcome.kind === 'retry' ? outcome.error : '', /ECONNRESET/);
  });

  it('a response reset midway is retried', async () => {
    const outcome = await sendTo((_request, response, raw) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('ten bytes!', () => setTimeout(() => raw.socket.destroy(), 20));
    });
    assert.deepEqual(outcome, { kind: 'retry', status: 200, error: 'HTTP 200: the response broke off.' });
  });

  it('a refused connection is retried', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = await deliverer.send({ ...request(), url: `http://127.0.0.1:${port}/` });
    assert.equal(outcome.kind, 'retry');
    assert.match(outcome.kind === 'retry' ? outcome.error : '', /^ECONNREFUSED: the connection was refused/);
  });

  it('refuses a header Node will not send, without sending', async () => {
    const count = receiver.requests.length;
    const outcome = await deliverer.send({ ...request(), headers: { 'x-split': 'a\r\nx-injected: 1' } });
    assert.equal(outcome.kind === 'refused' && outcome.rule, 'request_invalid');
    assert.equal(receiver.requests.length, count);
  });
});
