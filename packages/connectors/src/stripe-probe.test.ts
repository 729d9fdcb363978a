import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { probeStripe } from './stripe-probe.ts';

describe('Stripe health probe', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];

  before(async () => {
    server = createServer((request, response) => {
      seen.push(`${request.url} ${request.headers.authorization}`);
      const ok = request.headers.authorization === 'Bearer sk_test_good';
      response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      response.end(JSON.stringify(ok ? { object: 'balance' } : { error: { type: 'invalid_request_error' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('passes when the key reads the balance', async () => {
    const result = await probeStripe({ api_key: 'sk_test_good', base_url: base }, { fetch });
    assert.equal(result.ok, true);
    assert.ok(seen.includes('/v1/balance Bearer sk_test_good'));
  });

  it('fails, naming the status, when the key is refused', async () => {
    const result = await probeStripe({ api_key: 'sk_test_bad', api_base: `${base}/` }, { fetch });
    assert.deepEqual(result, { ok: false, message: 'GET /v1/balance answered 401.' });
  });

  it('fails when the API cannot be reached, and passes when there is no key to check', async () => {
    const unreachable = await probeStripe(
      { api_key: 'sk_test_good', api_base: 'http://127.0.0.1:1' },
      { fetch },
    );
    assert.equal(unreachable.ok, false);
    assert.match(unreachable.message ?? '', /failed/);
    assert.equal((await probeStripe({}, { fetch })).ok, true);
    assert.equal((await probeStripe({ api_key: 42 }, { fetch })).ok, false);
  });
});
