import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exampleConnectors, platformConnector } from '@sluice/connectors';
import { SecretBox } from '@sluice/control';
import type { Envelope } from '@sluice/core';
import { SYSTEM_TENANT_ID } from '@sluice/core';
import { defineConnector } from '@sluice/map';
import { signWebhook } from '@sluice/signatures';
import { SqlStores } from '@sluice/store';
import { buildApp } from './app.ts';
import { createContext, registerProviders } from './create-context.ts';
import { startTestApp, type TestApp } from './testing/index.ts';

const START = Date.parse('2026-06-11T12:00:00.000Z');

const probeOk = defineConnector({
  id: 'probe-ok',
  version: '1.0.0',
  streams: [{ key: 'items', mode: 'webhook', events: ['item.created'] }],
  webhook: { verify: { scheme: 'hmac-sha256', header: 'x-signature' } },
  map: () => null,
  probe: async (config) => ({ ok: true, message: `reached ${String(config['host'])}` }),
});
const probeFails = defineConnector({
  id: 'probe-fails',
  version: '1.0.0',
  streams: [{ key: 'items', mode: 'webhook', events: ['item.created'] }],
  webhook: { verify: { scheme: 'hmac-sha256', header: 'x-signature' } },
  map: () => null,
  probe: async () => ({ ok: false, message: 'credentials rejected by upstream' }),
});
const probeThrows = defineConnector({
  id: 'probe-throws',
  version: '2.1.0',
  streams: [{ key: 'items', mode: 'webhook', events: ['item.created'] }],
  webhook: { verify: { scheme: 'hmac-sha256', header: 'x-signature' } },
  map: () => null,
  probe: async () => {
    throw new Error('ECONNREFUSED upstream.example:443');
  },
});
const CONNECTORS = [...exampleConnectors, probeOk, probeFails, probeThrows];

const ORDER = (id: number) =>
  JSON.stringify({
    id,
    name: `#${id}`,
    total_price: '10.00',
    currency: 'EUR',
    created_at: '2026-06-11T09:00:00Z',
    updated_at: '2026-06-11T09:00:00Z',
    line_items: [],
  });

describe('connections API', () => {
  let t: TestApp;
  let clock = START;
  let tenantId: string;
  let auth: { authorization: string };

  before(async () => {
    t = await startTestApp({ connectors: CONNECTORS, now: () => new Date(clock) });
    ({
      tenant: { id: tenantId },
      auth,
    } = await t.tenant('Acme'));
  });
  after(() => t.close());

  const create = (payload: Record<string, unknown>, headers = auth) =>
    t.app.inject({ method: 'POST', url: '/api/v1/connections', headers, payload });
  const platformEvents = async (eventType: string, connectionId?: string): Promise<Envelope[]> => {
    const response = await t.app.inject({
      url: `/api/v1/events?event_type=${encodeURIComponent(eventType)}&limit=500`,
      headers: auth,
    });
    assert.equal(response.statusCode, 200, response.body);
    const items = response.json().items as Envelope[];
    return connectionId === undefined
      ? items
      : items.filter((e) => (e.payload['entity'] as { id: string }).id === connectionId);
  };
  const secretRows = (connectionId: string) =>
    t.sql.query<{ ciphertext: string; expires_at: unknown }>(
      'SELECT ciphertext, expires_at FROM connection_secrets WHERE connection_id = $1 ORDER BY created_at, id',
      [connectionId],
    );
  const deliver = (connectionId: string, secret: string, orderId: number) => {
    const body = ORDER(orderId);
    return t.app.inject({
      method: 'POST',
      url: `/api/v1/ingest/${connectionId}`,
      headers: {
        ...signWebhook({ scheme: 'shopify' }, { secret, rawBody: body, nowMs: clock }),
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
      },
      payload: body,
    });
  };

  describe('create', () => {
    it('generates a secret, returns it once with the ingest URL, and stores it only encrypted', async () => {
      const response = await create({
        connector_id: 'commerce-orders',
        name: 'Shop',
        config: { shop: 'acme' },
      });
      assert.equal(response.statusCode, 201, response.body);
      const { connection, secret } = response.json();
      assert.match(connection.id, /^con_/);
      assert.equal(connection.tenant_id, tenantId);
      assert.equal(connection.connector_id, 'commerce-orders');
      assert.equal(connection.name, 'Shop');
      assert.deepEqual(connection.config, { shop: 'acme' });
      assert.equal(connection.status, 'active');
      assert.equal(connection.ingest_url, `http://127.0.0.1:8787/api/v1/ingest/${connection.id}`);
      assert.equal(
        connection.webhook_url,
        `http://127.0.0.1:8787/api/v1/webhooks/commerce-orders/${tenantId}`,
      );
      assert.equal(typeof secret, 'string');
      assert.ok(secret.length >= 32);

      const got = await t.app.inject({ url: `/api/v1/connections/${connection.id}`, headers: auth });
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json(), { connection });
      assert.ok(!got.body.includes(secret));
      const listed = await t.app.inject({ url: '/api/v1/connections', headers: auth });
      assert.ok(!listed.body.includes(secret));
      assert.ok(!listed.body.includes('ciphertext'));

      const rows = await secretRows(connection.id);
      assert.equal(rows.length, 1);
      const ciphertext = rows[0]?.ciphertext ?? '';
      assert.ok(!ciphertext.includes(secret), 'the plaintext is not in the stored row');
      assert.match(ciphertext, /^v1:/);
      assert.equal(t.ctx.secretBox.open(ciphertext, connection.id), secret);
      assert.throws(() => new SecretBox(Buffer.alloc(32, 9)).open(ciphertext, connection.id));

      assert.equal((await deliver(connection.id, secret, 1)).statusCode, 200, 'the returned secret verifies');
    });

    it('keeps a supplied secret without echoing it back', async () => {
      const supplied = 'shpss_supplied_secret_42';
      const response = await create({ connector_id: 'commerce-orders', secret: supplied });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.json().secret, undefined);
      assert.ok(!response.body.includes(supplied));
      const { connection } = response.json();
      assert.equal(connection.name, 'commerce-orders', 'the name defaults to the connector id');
      const [row] = await secretRows(connection.id);
      assert.ok(row !== undefined && !row.ciphertext.includes(supplied));
      assert.equal(t.ctx.secretBox.open(row.ciphertext, connection.id), supplied);
      assert.equal((await deliver(connection.id, supplied, 2)).statusCode, 200);
    });

    it('publishes connection.established, visible in the tenant event list', async () => {
      const { connection } = (await create({ connector_id: 'github' })).json();
      const [established, ...more] = await platformEvents('connection.established', connection.id);
      assert.equal(more.length, 0);
      assert.ok(established !== undefined);
      assert.equal(established.tenant_id, tenantId);
      assert.equal(established.source, 'sluice');
      assert.equal(established.stream, 'platform');
      assert.notEqual(established.connection_id, connection.id, 'published through the platform connection');
      assert.deepEqual(established.payload, {
        entity: { kind: 'connection', id: connection.id },
        connector_id: 'github',
        name: 'github',
      });
      const glob = await platformEvents('connection.*', connection.id);
      assert.deepEqual(
        glob.map((e) => e.event_type),
        ['connection.established'],
      );
    });

    it('refuses an unknown connector, the platform connector and extra fields, storing nothing', async () => {
      const before = (await t.app.inject({ url: '/api/v1/connections', headers: auth })).json().items.length;
      const unknown = await create({ connector_id: 'no-such-connector' });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'connector_not_found');
      assert.match(unknown.json().error.message, /no-such-connector/);
      const platform = await create({ connector_id: platformConnector.id });
      assert.equal(platform.statusCode, 404);
      assert.equal(platform.json().error.code, 'connector_not_found');
      const extra = await create({ connector_id: 'github', tenant_id: 'ten_other' });
      assert.equal(extra.statusCode, 400);
      assert.equal(extra.json().error.code, 'invalid_request');
      const shortSecret = await create({ connector_id: 'github', secret: 'short' });
      assert.equal(shortSecret.statusCode, 400);
      const noKey = await create({ connector_id: 'github' }, { authorization: 'Bearer nope' });
      assert.equal(noKey.statusCode, 401);
      const after = (await t.app.inject({ url: '/api/v1/connections', headers: auth })).json().items.length;
      assert.equal(after, before);
    });

    it('puts a connection in one of the tenant own workspaces only', async () => {
      const workspace = await t.app.inject({
        method: 'POST',
        url: '/api/v1/workspaces',
        headers: auth,
        payload: { name: 'EU' },
      });
      assert.equal(workspace.statusCode, 201);
      const workspaceId = workspace.json().workspace.id;
      const inWorkspace = await create({ connector_id: 'stripe', workspace_id: workspaceId });
      assert.equal(inWorkspace.statusCode, 201, inWorkspace.body);
      assert.equal(inWorkspace.json().connection.workspace_id, workspaceId);
      const unknown = await create({ connector_id: 'stripe', workspace_id: 'wsp_nope' });
      assert.equal(unknown.statusCode, 422);
      assert.equal(unknown.json().error.code, 'validation_failed');
    });
  });

  describe('list and get', () => {
    it('lists the caller connections with filters, never the platform connection', async () => {
      const other = await t.tenant('Other');
      const mine = (await create({ connector_id: 'standard-webhooks' })).json().connection;
      const theirs = (await create({ connector_id: 'standard-webhooks' }, other.auth)).json().connection;
      const all = (await t.app.inject({ url: '/api/v1/connections', headers: auth })).json().items as Array<{
        id: string;
        connector_id: string;
      }>;
      assert.ok(all.some((c) => c.id === mine.id));
      assert.ok(!all.some((c) => c.id === theirs.id));
      assert.ok(!all.some((c) => c.connector_id === platformConnector.id));
      const filtered = await t.app.inject({
        url: '/api/v1/connections?connector_id=standard-webhooks&status=active',
        headers: auth,
      });
      assert.deepEqual(
        filtered.json().items.map((c: { id: string }) => c.id),
        [mine.id],
      );
      const badStatus = await t.app.inject({ url: '/api/v1/connections?status=dormant', headers: auth });
      assert.equal(badStatus.statusCode, 400);
    });

    it('answers 404 for an unknown id and for the platform connection', async () => {
      const unknown = await t.app.inject({ url: '/api/v1/connections/con_nope', headers: auth });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'connection_not_found');
      const [established] = await platformEvents('connection.established');
      assert.ok(established !== undefined);
      const platformId = established.connection_id;
      const platform = await t.app.inject({
        url: `/api/v1/connections/${platformId}`,
        headers: auth,
      });
      assert.equal(platform.statusCode, 404);
      for (const action of ['test', 'retire', 'rotate-secret']) {
        const response = await t.app.inject({
          method: 'POST',
          url: `/api/v1/connections/${platformId}/${action}`,
          headers: auth,
          payload: {},
        });
        assert.equal(response.statusCode, 404, `${action} of the platform connection`);
      }
    });
  });

  describe('test', () => {
    it('runs a passing probe with the connection config and publishes nothing', async () => {
      const { connection } = (
        await create({ connector_id: 'probe-ok', config: { host: 'api.example' } })
      ).json();
      const response = await t.app.inject({
        method: 'POST',
        url: `/api/v1/connections/${connection.id}/test`,
        headers: auth,
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), {
        connection_id: connection.id,
        ok: true,
        message: 'reached api.example',
      });
      assert.deepEqual(await platformEvents('integration.failed', connection.id), []);
    });

    it('reports a connector without a probe as ok', async () => {
      const { connection } = (await create({ connector_id: 'github' })).json();
      const response = await t.app.inject({
        method: 'POST',
        url: `/api/v1/connections/${connection.id}/test`,
        headers: auth,
      });
      assert.equal(response.json().ok, true);
    });

    it('publishes integration.failed when the probe fails or throws', async () => {
      for (const [connectorId, message] of [
        ['probe-fails', 'credentials rejected by upstream'],
        ['probe-throws', 'ECONNREFUSED upstream.example:443'],
      ] as const) {
        const { connection } = (await create({ connector_id: connectorId })).json();
        clock += 1000;
        const response = await t.app.inject({
          method: 'POST',
          url: `/api/v1/connections/${connection.id}/test`,
          headers: auth,
        });
        assert.equal(response.statusCode, 200, response.body);
        assert.deepEqual(response.json(), { connection_id: connection.id, ok: false, message });
        const failed = await platformEvents('integration.failed', connection.id);
        assert.equal(failed.length, 1);
        assert.deepEqual(failed[0]?.payload, {
          entity: { kind: 'connection', id: connection.id },
          operation: 'health_probe',
          message,
        });
        clock += 1000;
        await t.app.inject({
          method: 'POST',
          url: `/api/v1/connections/${connection.id}/test`,
          headers: auth,
        });
        assert.equal(
          (await platformEvents('integration.failed', connection.id)).length,
          2,
          'each failure is a fact',
        );
      }
    });
  });

  describe('retire', () => {
    it('retires once: a second retire is answered but publishes nothing more', async () => {
      const { connection, secret } = (await create({ connector_id: 'commerce-orders' })).json();
      clock += 5000;
      const first = await t.app.inject({
        method: 'POST',
        url: `/api/v1/connections/${connection.id}/retire`,
        headers: auth,
      });
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.json().connection.status, 'retired');
      assert.equal(new Date(first.json().connection.retired_at).getTime() > 0, true);
      const second = await t.app.inject({
        method: 'POST',
        url: `/api/v1/connections/${connection.id}/retire`,
        headers: auth,
      });
      assert.equal(second.statusCode, 200);
      assert.equal(second.json().connection.retired_at, first.json().connection.retired_at);
      const retired = await platformEvents('connection.retired', connection.id);
      assert.equal(retired.length, 1);
      assert.deepEqual(retired[0]?.payload, {
        entity: { kind: 'connection', id: connection.id },
        connector_id: 'commerce-orders',
      });
      assert.deepEqual(
        (await platformEvents('connection.*', connection.id)).map((e) => e.event_type),
        ['connection.established', 'connection.retired'],
      );

      const got = await t.app.inject({ url: `/api/v1/connections/${connection.id}`, headers: auth });
      assert.equal(got.json().connection.status, 'retired');
      const delivery = await deliver(connection.id, secret, 3);
      assert.equal(delivery.statusCode, 409, 'a retired connection accepts nothing');
      const rotate = await t.app.inject({
        method: 'POST',
        url: `/api/v1/connections/${connection.id}/rotate-secret`,
        headers: auth,
        payload: {},
      });
      assert.equal(rotate.statusCode, 409);
      assert.equal(rotate.json().error.code, 'connection_retired');
      assert.equal((await secretRows(connection.id)).length, 1, 'a refused rotation stores no secret');
    });
  });

  describe('rotate-secret', () => {
    it('returns a generated secret once, keeps the old one verifying through the overlap, and publishes credential.rotated', async () => {
      const { connection, secret: oldSecret } = (await create({ connector_id: 'commerce-orders' })).json();
      const rotated = await t.app.inject({
        method: 'POST',
        url: `/api/v1/connections/${connection.id}/rotate-secret`,
        headers: auth,
        payload: { overlap_seconds: 3600 },
      });
      assert.equal(rotated.statusCode, 200, rotated.body);
      const expiresAt = new Date(clock + 3600 * 1000).toISOString();
      const { secret: newSecret } = rotated.json();
      assert.deepEqual(rotated.json(), {
        connection_id: connection.id,
        previous_secret_expires_at: expiresAt,
        secret: newSecret,
      });
      assert.equal(typeof newSecret, 'string');
      assert.notEqual(newSecret, oldSecret);
      const got = await t.app.inject({ url: `/api/v1/connections/${connection.id}`, headers: auth });
      assert.ok(!got.body.includes(newSecret));

      const rows = await secretRows(connection.id);
      assert.equal(rows.length, 2);
      assert.deepEqual(
        rows.map((r) => t.ctx.secretBox.open(r.ciphertext, connection.id)),
        [oldSecret, newSecret],
      );
      assert.ok(rows.every((r) => !r.ciphertext.includes(oldSecret) && !r.ciphertext.includes(newSecret)));

      const events = await platformEvents('credential.rotated', connection.id);
      assert.equal(events.length, 1);
      assert.deepEqual(events[0]?.payload, {
        entity: { kind: 'connection', id: connection.id },
        previous_expires_at: expiresAt,
      });
      assert.ok(!JSON.stringify(events).includes(newSecret), 'the secret is never published');

      assert.equal((await deliver(connection.id, newSecret, 10)).statusCode, 200);
      assert.equal((await deliver(connection.id, oldSecret, 11)).statusCode, 200, 'inside the overlap');
      clock += 3600 * 1000 + 1;
      assert.equal((await deliver(connection.id, newSecret, 12)).statusCode, 200);
      const late = await deliver(connection.id, oldSecret, 13);
      assert.equal(late.statusCode, 401, 'after the overlap the old secret no longer verifies');
    });

    it('keeps a supplied secret without echoing it, defaulting the overlap to 24 hours', async () => {
      const { connection } = (await create({ connector_id: 'commerce-orders' })).json();
      const supplied = 'shpss_rotated_by_hand_1';
      const rotated = await t.app.inject({
        method: 'POST',
        url: `/api/v1/connections/${connection.id}/rotate-secret`,
        headers: auth,
        payload: { secret: supplied },
      });
      assert.equal(rotated.statusCode, 200, rotated.body);
      assert.equal(rotated.json().secret, undefined);
      assert.ok(!rotated.body.includes(supplied));
      assert.equal(
        rotated.json().previous_secret_expires_at,
        new Date(clock + 24 * 3600 * 1000).toISOString(),
      );
      assert.equal((await deliver(connection.id, supplied, 20)).statusCode, 200);
      const bad = await t.app.inject({
        method: 'POST',
        url: `/api/v1/connections/${connection.id}/rotate-secret`,
        headers: auth,
        payload: { overlap_seconds: -1 },
      });
      assert.equal(bad.statusCode, 400);
      const extra = await t.app.inject({
        method: 'POST',
        url: `/api/v1/connections/${connection.id}/rotate-secret`,
        headers: auth,
        payload: { secret: 'shpss_x_12345678', plaintext: true },
      });
      assert.equal(extra.statusCode, 400);
      assert.equal((await secretRows(connection.id)).length, 2);
    });
  });

  describe('provider.registered', () => {
    const registered = async (store = t.store) => {
      const page = await store.events.query(
        SYSTEM_TENANT_ID,
        { event_type: 'provider.registered' },
        { limit: 500 },
      );
      return page.items;
    };

    it('is published once per connector for the system tenant, not for the platform connector', async () => {
      const items = await registered();
      const ids = items.map((e) => (e.payload['entity'] as { id: string }).id).sort();
      assert.deepEqual(ids, CONNECTORS.map((c) => c.id).sort());
      const throws = items.find((e) => (e.payload['entity'] as { id: string }).id === 'probe-throws');
      assert.deepEqual(throws?.payload, {
        entity: { kind: 'provider', id: 'probe-throws' },
        version: '2.1.0',
        streams: ['items'],
        verification: 'hmac-sha256',
      });
      const stripe = items.find((e) => (e.payload['entity'] as { id: string }).id === 'stripe');
      assert.deepEqual(stripe?.payload['streams'], ['events', 'customers']);
      assert.equal(stripe?.payload['verification'], 'stripe');
    });

    it('is not published again by a second app over the same store, even days later', async () => {
      const before = await registered();
      for (const laterMs of [0, 3 * 24 * 3600 * 1000]) {
        const now = () => new Date(Date.now() + laterMs);
        const store = new SqlStores(t.sql, { now });
        const ctx = createContext({
          config: t.config,
          store,
          connectors: [...CONNECTORS, platformConnector],
          secretBox: t.ctx.secretBox,
          now,
        });
        await registerProviders(ctx);
        const second = await buildApp(ctx);
        await second.ready();
        await second.close();
      }
      const afterRestarts = await registered();
      assert.deepEqual(
        afterRestarts.map((e) => e.event_id),
        before.map((e) => e.event_id),
      );
      const platformConnections = await t.store.connections.list(SYSTEM_TENANT_ID, {
        connector_id: platformConnector.id,
      });
      assert.equal(platformConnections.length, 1, 'the system tenant keeps one platform connection');
    });

    it('is not visible to an ordinary tenant', async () => {
      assert.deepEqual(await platformEvents('provider.registered'), []);
    });
  });
});
