import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defineConnector } from '@sluice/map';
import { signWebhook } from '@sluice/signatures';
import { startTestApp, type TestApp } from './testing/index.ts';

const failing = defineConnector({
  id: 'always-fails',
  streams: [{ key: 'events', mode: 'webhook', events: ['thing.happened'] }],
  webhook: { verify: { scheme: 'github' } },
  map: () => {
    throw new Error('always-fails: this mapping cannot read anything');
  },
});

describe('a dead letter and its platform event commit together', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ connectors: [failing] });
  });
  after(() => t.close());

  it('keeps neither when the event cannot be written, so the sender retries', async () => {
    const { tenant, auth } = await t.tenant('No platform events');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'always-fails', secret: 'always-fails-secret' },
    });
    assert.equal(created.statusCode, 201);
    // Retire the tenant's platform connection, so publishing webhook.dead_lettered fails.
    const [platform] = await t.store.connections.list(tenant.id, { connector_id: 'sluice' });
    assert.ok(platform);
    await t.store.connections.retire(tenant.id, platform.id);

    const body = '{"anything":true}';
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/ingest/${created.json().connection.id}`,
      headers: {
        ...signWebhook(
          { scheme: 'github' },
          { secret: 'always-fails-secret', rawBody: body, nowMs: Date.now() },
        ),
        'content-type': 'application/json',
      },
      payload: body,
    });
    // Never a 2xx for what did not commit: the dead letter rolled back with its event.
    assert.equal(response.statusCode, 500, response.body);
    const letters = await t.app.inject({ method: 'GET', url: '/api/v1/dead-letters', headers: auth });
    assert.deepEqual(letters.json().items, []);
    const events = await t.store.events.query(
      tenant.id,
      { event_type: 'webhook.dead_lettered' },
      { limit: 10 },
    );
    assert.deepEqual(events.items, []);
  });
});
