import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { platformConnector } from '@sluice/connectors';
import { SecretBox } from '@sluice/control';
import { useConnectionsApi } from './testing/connections-api.ts';

describe('connections API', () => {
  const api = useConnectionsApi();
  const { create, platformEvents, secretRows, deliver } = api;

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
      assert.equal(connection.tenant_id, api.tenantId);
      assert.equal(connection.connector_id, 'commerce-orders');
      assert.equal(connection.name, 'Shop');
      assert.deepEqual(connection.config, { shop: 'acme' });
      assert.equal(connection.status, 'active');
      assert.equal(connection.ingest_url, `http://127.0.0.1:8787/api/v1/ingest/${connection.id}`);
      assert.equal(
        connection.webhook_url,
        `http://127.0.0.1:8787/api/v1/webhooks/commerce-orders/${api.tenantId}`,
      );
      assert.equal(typeof secret, 'string');
      assert.ok(secret.length >= 32);

      const got = await api.t.app.inject({ url: `/api/v1/connections/${connection.id}`, headers: api.auth });
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json(), { connection });
      assert.ok(!got.body.includes(secret));
      const listed = await api.t.app.inject({ url: '/api/v1/connections', headers: api.auth });
      assert.ok(!listed.body.includes(secret));
      assert.ok(!listed.body.includes('ciphertext'));

      const rows = await secretRows(connection.id);
      assert.equal(rows.length, 1);
      const ciphertext = rows[0]?.ciphertext ?? '';
      assert.ok(!ciphertext.includes(secret), 'the plaintext is not in the stored row');
      assert.match(ciphertext, /^v1:/);
      assert.equal(api.t.ctx.secretBox.open(ciphertext, connection.id), secret);
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
      assert.equal(api.t.ctx.secretBox.open(row.ciphertext, connection.id), supplied);
      assert.equal((await deliver(connection.id, supplied, 2)).statusCode, 200);
    });

    it('publishes connection.established, visible in the tenant event list', async () => {
      const { connection } = (await create({ connector_id: 'github' })).json();
      const [established, ...more] = await platformEvents('connection.established', connection.id);
      assert.equal(more.length, 0);
      assert.ok(established !== undefined);
      assert.equal(established.tenant_id, api.tenantId);
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
      const before = (await api.t.app.inject({ url: '/api/v1/connections', headers: api.auth })).json().items
        .length;
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
      const after = (await api.t.app.inject({ url: '/api/v1/connections', headers: api.auth })).json().items
        .length;
      assert.equal(after, before);
    });

    it('puts a connection in one of the tenant own workspaces only', async () => {
      const workspace = await api.t.app.inject({
        method: 'POST',
        url: '/api/v1/workspaces',
        headers: api.auth,
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
      const other = await api.t.tenant('Other');
      const mine = (await create({ connector_id: 'standard-webhooks' })).json().connection;
      const theirs = (await create({ connector_id: 'standard-webhooks' }, other.auth)).json().connection;
      const all = (await api.t.app.inject({ url: '/api/v1/connections', headers: api.auth })).json()
        .items as Array<{
        id: string;
        connector_id: string;
      }>;
      assert.ok(all.some((c) => c.id === mine.id));
      assert.ok(!all.some((c) => c.id === theirs.id));
      assert.ok(!all.some((c) => c.connector_id === platformConnector.id));
      const filtered = await api.t.app.inject({
        url: '/api/v1/connections?connector_id=standard-webhooks&status=active',
        headers: api.auth,
      });
      assert.deepEqual(
        filtered.json().items.map((c: { id: string }) => c.id),
        [mine.id],
      );
      const badStatus = await api.t.app.inject({
        url: '/api/v1/connections?status=dormant',
        headers: api.auth,
      });
      assert.equal(badStatus.statusCode, 400);
    });

    it('answers 404 for an unknown id and for the platform connection', async () => {
      const unknown = await api.t.app.inject({ url: '/api/v1/connections/con_nope', headers: api.auth });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'connection_not_found');
      const [established] = await platformEvents('connection.established');
      assert.ok(established !== undefined);
      const platformId = established.connection_id;
      const platform = await api.t.app.inject({
        url: `/api/v1/connections/${platformId}`,
        headers: api.auth,
      });
      assert.equal(platform.statusCode, 404);
      for (const action of ['test', 'retire', 'rotate-secret']) {
        const response = await api.t.app.inject({
          method: 'POST',
          url: `/api/v1/connections/${platformId}/${action}`,
          headers: api.auth,
          payload: {},
        });
        assert.equal(response.statusCode, 404, `${action} of the platform connection`);
      }
    });
  });
});
