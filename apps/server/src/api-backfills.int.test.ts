import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeStripe, fakeCustomers, startFakeStripe } from './testing/fake-stripe.ts';
import { startTestApp, type TestApp } from './testing/index.ts';

const SINCE = '2025-12-31T00:00:00.000Z';
const UNTIL = '2026-02-01T00:00:00.000Z';

describe('backfills API', () => {
  let t: TestApp;
  let stripe: FakeStripe;
  let auth: { authorization: string };
  let connectionId: string;

  before(async () => {
    stripe = await startFakeStripe(fakeCustomers(23));
    t = await startTestApp({ env: { SLUICE_ALLOW_PRIVATE_TARGETS: '1' } }); // the fake Stripe is on loopback
    ({ auth } = await t.tenant('Backfiller'));
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: {
        connector_id: 'stripe',
        secret: 'whsec_test_signing_secret',
        config: { api_key: 'sk_test_backfill', api_base: stripe.url, page_size: 5 },
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    connectionId = created.json().connection.id;
  });
  after(async () => {
    await t.close();
    await stripe.close();
  });

  const start = async (payload: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${connectionId}/backfills`,
      headers: auth,
      payload,
    });
  const queued = async () =>
    (
      await t.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE connection_id = $1', [
        connectionId,
      ])
    )[0]?.n;
  const finished = async (id: string) => {
    await t.ctx.backfills.settled(id);
    const got = await t.app.inject({
      url: `/api/v1/connections/${connectionId}/backfills/${id}`,
      headers: auth,
    });
    assert.equal(got.statusCode, 200, got.body);
    return got.json().backfill;
  };

  it('runs a quiet backfill: stored and queryable, nothing routed; a second run emits 0', async () => {
    const response = await start({ stream: 'customers', since: SINCE, until: UNTIL, mode: 'quiet' });
    assert.equal(response.statusCode, 202, response.body);
    const { backfill } = response.json();
    assert.match(backfill.id, /^bfl_/);
    assert.equal(backfill.status, 'running');
    const done = await finished(backfill.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.counts, { pages: 5, records: 23, emitted: 23, duplicates: 0 });
    assert.equal(await queued(), 0, 'quiet envelopes are never queued for routing');
    const quiet = await t.app.inject({ url: '/api/v1/events?mode=quiet&limit=100', headers: auth });
    assert.equal(quiet.json().items.length, 23);

    const again = await start({ stream: 'customers', since: SINCE, until: UNTIL, mode: 'quiet' });
    const second = await finished(again.json().backfill.id);
    assert.equal(second.status, 'completed');
    assert.deepEqual(second.counts, { pages: 5, records: 23, emitted: 0, duplicates: 23 });
  });

  it('a live backfill of envelopes a quiet one stored emits nothing new', async () => {
    const live = await start({ stream: 'customers', since: SINCE, until: UNTIL, mode: 'live' });
    const done = await finished(live.json().backfill.id);
    assert.equal(done.counts.emitted, 0);
    assert.equal(await queued(), 0);
  });

  it('pauses on a 429 until its Retry-After, then finishes from its cursor', async () => {
    stripe.limitNext = 1;
    stripe.retryAfter = '1';
    const before = stripe.requests.length;
    const response = await start({
      stream: 'customers',
      since: '2026-01-01T00:10:00.000Z',
      until: UNTIL,
      mode: 'quiet',
    });
    const done = await finished(response.json().backfill.id);
    assert.equal(done.status, 'completed');
    assert.equal(done.rate_limited_until, null);
    assert.equal(done.counts.records, 13);
    assert.ok(stripe.requests.length - before >= 4, 'the refused page was asked again');
  });

  it('refuses a stream that is not polled, a reversed window and an unknown backfill', async () => {
    const webhookStream = await start({ stream: 'events', since: SINCE, mode: 'quiet' });
    assert.equal(webhookStream.statusCode, 422, webhookStream.body);
    assert.equal(webhookStream.json().error.code, 'stream_not_pollable');
    const reversed = await start({ stream: 'customers', since: UNTIL, until: SINCE, mode: 'quiet' });
    assert.equal(reversed.statusCode, 400);
    assert.equal(reversed.json().error.code, 'invalid_request');
    const badMode = await start({ stream: 'customers', since: SINCE, mode: 'loud' });
    assert.equal(badMode.statusCode, 400);
    const unknown = await t.app.inject({
      url: `/api/v1/connections/${connectionId}/backfills/bfl_nope`,
      headers: auth,
    });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, 'backfill_not_found');
  });

  it('does not show one tenant the backfills of another', async () => {
    const response = await start({ stream: 'customers', since: SINCE, until: UNTIL, mode: 'quiet' });
    const id = response.json().backfill.id;
    await t.ctx.backfills.settled(id);
    const other = await t.tenant('Other');
    const seen = await t.app.inject({
      url: `/api/v1/connections/${connectionId}/backfills/${id}`,
      headers: other.auth,
    });
    assert.equal(seen.statusCode, 404);
    const post = await t.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${connectionId}/backfills`,
      headers: other.auth,
      payload: { stream: 'customers', since: SINCE, mode: 'quiet' },
    });
    assert.equal(post.statusCode, 404);
  });
});
