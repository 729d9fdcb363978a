import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './testing/index.ts';

describe('x-request-id', () => {
  let t: TestApp;
  const lines: string[] = [];
  before(async () => {
    t = await startTestApp({ logStream: { write: (line) => void lines.push(line) } });
  });
  after(() => t.close());

  it('keeps an inbound id, answers it, and logs the request under it', async () => {
    const id = 'req-7f3a:edge/42';
    const response = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': id } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-request-id'], id);
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(
      logged.some((entry) => entry['request_id'] === id),
      'the request is logged under its id',
    );
  });

  it('answers a fresh id when none or an unusable one is sent, on errors too', async () => {
    for (const headers of [{}, { 'x-request-id': 'a b' }, { 'x-request-id': 'x'.repeat(200) }]) {
      const response = await t.app.inject({ url: '/api/v1/connections', headers });
      assert.equal(response.statusCode, 401);
      assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    }
    const missing = await t.app.inject({ url: '/nowhere', headers: { 'x-request-id': 'lost-1' } });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers['x-request-id'], 'lost-1');
  });
});
