import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from './testing/assert-error.ts';
import { startTestApp, type TestApp } from './testing/index.ts';
import { createConnection, orderBody, shopifyHeaders } from './testing/shopify-deliveries.ts';

describe('GET /api/v1/stats/ingest', () => {
  let t: TestApp;
  // The server's clock: 12:34:56 — the window ends with the minute in progress.
  const now = new Date('2026-06-11T12:34:56.000Z');

  before(async () => {
    t = await startTestApp({ now: () => now });
  });
  after(() => t.close());

  const stats = (auth: { authorization: string }, url = '/api/v1/stats/ingest') =>
    t.app.inject({ url, headers: auth });

  it("answers every minute of the last hour with the caller's envelopes only", async () => {
    const mine = await t.tenant('Stats mine');
    const other = await t.tenant('Stats other');
    for (const { auth, n } of [
      { auth: mine.auth, n: 3 },
      { auth: other.auth, n: 1 },
    ]) {
      const connection = await createConnection(t.app, auth);
      for (let i = 0; i < n; i++) {
        const body = orderBody();
        const sent = await t.app.inject({
          method: 'POST',
          url: `/api/v1/ingest/${connection}`,
          headers: shopifyHeaders(body),
          payload: body,
        });
        assert.equal(sent.statusCode, 200, sent.body);
      }
    }
    const answer = await stats(mine.auth);
    assert.equal(answer.statusCode, 200, answer.body);
    const body = answer.json();
    assert.equal(body.since, '2026-06-11T11:35:00.000Z');
    assert.equal(body.until, '2026-06-11T12:35:00.000Z');
    assert.equal(body.bucket_seconds, 60);
    assert.equal(body.items.length, 60);
    const current = body.items.at(-1);
    // Three orders plus the connection.established fact on the tenant's platform connection.
    assert.equal(current.minute, '2026-06-11T12:34:00.000Z');
    assert.equal(current.envelopes, 4);
    assert.equal(current.routed_p50_ms, null, 'no trigger, no job, no routing latency');
    assert.equal(
      body.items.slice(0, -1).every((m: { envelopes: number }) => m.envelopes === 0),
      true,
      'quiet minutes count 0',
    );
    const theirs = (await stats(other.auth)).json();
    assert.equal(theirs.items.at(-1).envelopes, 2);
  });

  it('takes a shorter window, and refuses a bad one or a missing key', async () => {
    const { auth } = await t.tenant('Stats window');
    const five = await stats(auth, '/api/v1/stats/ingest?minutes=5');
    assert.equal(five.json().items.length, 5);
    assertError(await stats(auth, '/api/v1/stats/ingest?minutes=0'), 400, 'invalid_request');
    assertError(await stats(auth, '/api/v1/stats/ingest?minutes=abc'), 400, 'invalid_request');
    assertError(await t.app.inject({ url: '/api/v1/stats/ingest' }), 401, 'unauthenticated');
  });
});
