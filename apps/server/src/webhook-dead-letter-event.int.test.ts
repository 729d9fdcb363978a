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

describe('a dead letter whose platform event cannot be published', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ connectors: [failing] });
  });
  after(() => t.close());

  it('is still acknowledged 202 and kept, once', async () => {
    const { tenant, auth } = await t.tenant('No platform events');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'always-fails', secret: 'always-fails-secret' },
    });
    assert.equal(created.statusCode, 201);
    // Retire the tenant's platform connection, so publishing webhook.dead_lettered fails.
    const [platform] = await t.store.listConnections(tenant.id, { connector_id: 'sluice' });
    assert.ok(platform);
    await t.store.retireConnection(tenant.id, platform.id);

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
    assert.equal(response.statusCode, 202, response.body);
    const letters = await t.app.inject({ method: 'GET', url: '/api/v1/dead-letters', headers: auth });
    assert.deepEqual(
      letters.json().items.map((d: { id: string }) => d.id),
      [response.json().dead_letter_id],
    );
  });
});
