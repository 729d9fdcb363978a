import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Envelope, EnvelopeFilter } from '@sluice/core';
import { signWebhook } from '@sluice/signatures';
import { startTestApp, type TestApp } from './testing/index.ts';

type Auth = { authorization: string };

const emission = (id: string) => ({
  source: 'shop-a',
  event_type: 'order.created',
  dedupe_key: `shop-a:order:${id}`,
  payload: { entity: { kind: 'order', id } },
});

describe('tenancy', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const createTenant = async (body: Record<string, unknown>) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: t.admin,
      payload: body,
    });
    assert.equal(response.statusCode, 201, response.body);
    const { tenant, api_key } = response.json();
    return { tenant, apiKey: api_key, auth: { authorization: `Bearer ${api_key.key}` } };
  };
  const createConnection = async (auth: Auth, body: Record<string, unknown> = {}) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'commerce-orders', ...body },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json() as {
      connection: { id: string; reseller_id: string | null; workspace_id: string | null };
      secret: string;
    };
  };
  const emit = (auth: Auth, connectionId: string, body: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: auth,
      payload: { connection_id: connectionId, ...body },
    });

  describe('tenants and API keys', () => {
    it('lets the admin create a tenant and shows its API key once, storing only a hash', async () => {
      const { tenant, apiKey, auth } = await createTenant({ name: 'Acme' });
      assert.match(tenant.id, /^ten_/);
      assert.equal(tenant.name, 'Acme');
      assert.equal(tenant.reseller_id, null);
      assert.match(apiKey.key, /^slk_/);
      assert.equal(apiKey.tenant_id, tenant.id);
      assert.equal(apiKey.prefix, apiKey.key.slice(0, 12));

      const me = await t.app.inject({ url: '/api/v1/tenant', headers: auth });
      assert.equal(me.statusCode, 200);
      assert.deepEqual(me.json().tenant, tenant);
      assert.ok(!me.body.includes(apiKey.key), 'the key is never shown again');
      const listed = await t.app.inject({ url: '/api/v1/tenants', headers: t.admin });
      assert.ok(listed.json().items.some((item: { id: string }) => item.id === tenant.id));
      assert.ok(!listed.body.includes(apiKey.key));

      const rows = await t.sql.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE tenant_id = $1', [
        tenant.id,
      ]);
      assert.equal(rows.length, 1);
      const row = rows[0] ?? {};
      assert.equal(row['hash'], createHash('sha256').update(apiKey.key).digest('hex'));
      for (const [column, value] of Object.entries(row)) {
        assert.ok(!String(value).includes(apiKey.key), `api_keys.${column} does not hold the key`);
      }
    });

    it('issues further keys to the admin only, each working on its own', async () => {
      const { tenant, auth } = await createTenant({ name: 'Keys' });
      const issued = await t.app.inject({
        method: 'POST',
        url: `/api/v1/tenants/${tenant.id}/api-keys`,
        headers: t.admin,
        payload: { name: 'ci' },
      });
      assert.equal(issued.statusCode, 201, issued.body);
      const second = { authorization: `Bearer ${issued.json().api_key.key}` };
      assert.equal(issued.json().api_key.name, 'ci');
      assert.notEqual(second.authorization, auth.authorization);
      assert.equal(
        (await t.app.inject({ url: '/api/v1/tenant', headers: second })).json().tenant.id,
        tenant.id,
      );
      const unknown = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tenants/ten_nope/api-keys',
        headers: t.admin,
        payload: {},
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'tenant_not_found');
    });

    it('refuses admin routes to a tenant key with 403', async () => {
      const { tenant, auth } = await createTenant({ name: 'Not admin' });
      const calls = [
        { method: 'POST', url: '/api/v1/tenants', payload: { name: 'Sneaky' } },
        { method: 'GET', url: '/api/v1/tenants' },
        { method: 'POST', url: `/api/v1/tenants/${tenant.id}/api-keys`, payload: {} },
      ] as const;
      const before = (await t.store.tenancy.listTenants()).length;
      for (const call of calls) {
        const response = await t.app.inject({ ...call, headers: auth });
        assert.equal(response.statusCode, 403, `${call.method} ${call.url}`);
        assert.equal(response.json().error.code, 'forbidden');
      }
      assert.equal((await t.store.tenancy.listTenants()).length, before);
    });

    it('answers 401 to a missing, malformed or unknown key on every keyed route', async () => {
      const routes = [
        ['POST', '/api/v1/tenants'],
        ['GET', '/api/v1/tenants'],
        ['GET', '/api/v1/tenant'],
        ['POST', '/api/v1/workspaces'],
        ['GET', '/api/v1/connectors'],
        ['POST', '/api/v1/connections'],
        ['GET', '/api/v1/connections'],
        ['GET', '/api/v1/connections/con_x'],
        ['POST', '/api/v1/connections/con_x/test'],
        ['POST', '/api/v1/connections/con_x/retire'],
        ['POST', '/api/v1/connections/con_x/rotate-secret'],
        ['POST', '/api/v1/events'],
        ['GET', '/api/v1/events'],
        ['GET', '/api/v1/events/01890a5d-ac96-774b-bcce-b302099a8057'],
        ['GET', '/api/v1/events/stream'],
        ['GET', '/api/v1/dead-letters'],
        ['GET', '/api/v1/dead-letters/dlq_x'],
        ['POST', '/api/v1/dead-letters/dlq_x/replay'],
      ] as const;
      const bodies: Record<string, unknown> = {
        '/api/v1/tenants': { name: 'x' },
        '/api/v1/workspaces': { name: 'x' },
        '/api/v1/connections': { connector_id: 'github' },
        '/api/v1/events': { connection_id: 'con_x', emission: emission('1') },
      };
      for (const headers of [
        {},
        { authorization: 'slk_without_scheme' },
        { authorization: 'Basic dXNlcjpwYXNz' },
        { authorization: 'Bearer slk_unknown' },
      ]) {
        for (const [method, url] of routes) {
          const payload = method === 'POST' ? (bodies[url] ?? {}) : undefined;
          const response = await t.app.inject({
            method,
            url,
            headers,
            ...(payload === undefined ? {} : { payload: payload as object }),
          });
          assert.equal(
            response.statusCode,
            401,
            `${method} ${url} with ${JSON.stringify(headers)}: ${response.body}`,
          );
          assert.equal(response.json().error.code, 'unauthenticated');
        }
      }
    });

    it('lets the admin act for a tenant only through X-Sluice-Tenant', async () => {
      const { tenant } = await createTenant({ name: 'Acted for' });
      const without = await t.app.inject({ url: '/api/v1/connections', headers: t.admin });
      assert.equal(without.statusCode, 403);
      assert.equal(without.json().error.code, 'forbidden');
      const unknown = await t.app.inject({
        url: '/api/v1/tenant',
        headers: { ...t.admin, 'x-sluice-tenant': 'ten_nope' },
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'tenant_not_found');
      const asTenant = await t.app.inject({
        url: '/api/v1/tenant',
        headers: { ...t.admin, 'x-sluice-tenant': tenant.id },
      });
      assert.equal(asTenant.statusCode, 200);
      assert.equal(asTenant.json().tenant.id, tenant.id);
      const other = await createTenant({ name: 'Header ignored' });
      const tenantKeyWithHeader = await t.app.inject({
        url: '/api/v1/tenant',
        headers: { ...other.auth, 'x-sluice-tenant': tenant.id },
      });
      assert.equal(
        tenantKeyWithHeader.json().tenant.id,
        other.tenant.id,
        'a tenant key cannot borrow another tenant',
      );
    });
  });

  describe('resellers and workspaces', () => {
    it('stamps the reseller onto the tenant connections and their envelopes', async () => {
      const { tenant, auth } = await createTenant({ name: 'Resold', reseller_id: 'res_partner' });
      assert.equal(tenant.reseller_id, 'res_partner');
      const { connection } = await createConnection(auth);
      assert.equal(connection.reseller_id, 'res_partner');
      const emitted = await emit(auth, connection.id, { emission: emission('r1') });
      assert.equal(emitted.statusCode, 200, emitted.body);
      const events = (await t.app.inject({ url: '/api/v1/events?limit=500', headers: auth })).json()
        .items as Envelope[];
      assert.deepEqual(
        events.map((e) => [e.event_type, e.reseller_id, e.tenant_id]),
        [
          ['connection.established', 'res_partner', tenant.id],
          ['order.created', 'res_partner', tenant.id],
        ],
      );
    });

    it('creates workspaces and stamps a connection workspace onto its envelopes', async () => {
      const { tenant, auth } = await createTenant({ name: 'Workspaces' });
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/workspaces',
        headers: auth,
        payload: { name: 'EU' },
      });
      assert.equal(response.statusCode, 201, response.body);
      const { workspace } = response.json();
      assert.equal(workspace.tenant_id, tenant.id);
      assert.equal(workspace.name, 'EU');
      const { connection } = await createConnection(auth, { workspace_id: workspace.id });
      assert.equal(connection.workspace_id, workspace.id);
      await emit(auth, connection.id, { emission: emission('w1') });
      const [event] = (
        await t.app.inject({ url: `/api/v1/events?connection_id=${connection.id}`, headers: auth })
      ).json().items as Envelope[];
      assert.equal(event?.workspace_id, workspace.id);
      const empty = await t.app.inject({
        method: 'POST',
        url: '/api/v1/workspaces',
        headers: auth,
        payload: {},
      });
      assert.equal(empty.statusCode, 400);
    });
  });

  describe('cross-tenant access', () => {
    let a: { tenant: { id: string }; auth: Auth };
    let b: { tenant: { id: string }; auth: Auth };
    let aConnection: string;
    let aSecret: string;
    let aEvent: string;
    let aDeadLetter: string;
    let aWorkspace: string;
    let bConnection: string;

    before(async () => {
      a = await createTenant({ name: 'Tenant A' });
      b = await createTenant({ name: 'Tenant B' });
      ({
        connection: { id: aConnection },
        secret: aSecret,
      } = await createConnection(a.auth));
      ({
        connection: { id: bConnection },
      } = await createConnection(b.auth));
      const emitted = await emit(a.auth, aConnection, { emission: emission('a1') });
      assert.equal(emitted.statusCode, 200, emitted.body);
      aEvent = emitted.json().results[0].event_id;
      const body = JSON.stringify({ id: 77 });
      const delivery = await t.app.inject({
        method: 'POST',
        url: `/api/v1/ingest/${aConnection}`,
        headers: {
          ...signWebhook({ scheme: 'shopify' }, { secret: aSecret, rawBody: body, nowMs: Date.now() }),
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/cancelled',
        },
        payload: body,
      });
      assert.equal(delivery.statusCode, 202, delivery.body);
      aDeadLetter = delivery.json().dead_letter_id;
      aWorkspace = (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/workspaces',
          headers: a.auth,
          payload: { name: 'A only' },
        })
      ).json().workspace.id;
    });

    const asB = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
      t.app.inject({ method, url, headers: b.auth, ...(payload === undefined ? {} : { payload }) });

    it("answers 404 for A's connection on get, test, retire and rotate, changing nothing", async () => {
      const calls = [
        ['GET', `/api/v1/connections/${aConnection}`],
        ['POST', `/api/v1/connections/${aConnection}/test`],
        ['POST', `/api/v1/connections/${aConnection}/retire`],
        ['POST', `/api/v1/connections/${aConnection}/rotate-secret`],
      ] as const;
      for (const [method, url] of calls) {
        const response = await asB(method, url, method === 'POST' ? {} : undefined);
        assert.equal(response.statusCode, 404, `${method} ${url}`);
        assert.equal(response.json().error.code, 'connection_not_found');
      }
      const mine = await t.app.inject({ url: `/api/v1/connections/${aConnection}`, headers: a.auth });
      assert.equal(mine.json().connection.status, 'active');
      const secrets = await t.sql.query('SELECT 1 FROM connection_secrets WHERE connection_id = $1', [
        aConnection,
      ]);
      assert.equal(secrets.length, 1);
      const aFacts = (
        await t.app.inject({ url: '/api/v1/events?event_type=*&limit=500', headers: a.auth })
      ).json().items as Envelope[];
      assert.ok(
        !aFacts.some((e) =>
          ['connection.retired', 'credential.rotated', 'integration.failed'].includes(e.event_type),
        ),
      );
      const bList = (await asB('GET', '/api/v1/connections')).json().items as Array<{ id: string }>;
      assert.deepEqual(
        bList.map((c) => c.id),
        [bConnection],
      );
    });

    it("cannot emit through A's connection", async () => {
      const response = await emit(b.auth, aConnection, { emission: emission('b-into-a') });
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().error.code, 'connection_not_found');
      const aEvents = (
        await t.app.inject({ url: `/api/v1/events?connection_id=${aConnection}`, headers: a.auth })
      ).json().items as Envelope[];
      assert.deepEqual(
        aEvents.map((e) => e.dedupe_key),
        ['shop-a:order:a1'],
      );
    });

    it("cannot read A's event, by id or by query with A's connection as a filter", async () => {
      const byId = await asB('GET', `/api/v1/events/${aEvent}`);
      assert.equal(byId.statusCode, 404);
      assert.equal(byId.json().error.code, 'event_not_found');
      const filtered = await asB('GET', `/api/v1/events?connection_id=${aConnection}`);
      assert.equal(filtered.statusCode, 200);
      assert.deepEqual(filtered.json(), { items: [], next_cursor: null });
      const all = (await asB('GET', '/api/v1/events?limit=500')).json().items as Envelope[];
      assert.ok(all.length > 0);
      assert.ok(all.every((e) => e.tenant_id === b.tenant.id));
      const entity = (await asB('GET', '/api/v1/events?entity=order:a1')).json().items;
      assert.deepEqual(entity, []);
    });

    it("cannot read or replay A's dead letter", async () => {
      const mine = await t.app.inject({ url: `/api/v1/dead-letters/${aDeadLetter}`, headers: a.auth });
      assert.equal(mine.statusCode, 200);
      const get = await asB('GET', `/api/v1/dead-letters/${aDeadLetter}`);
      assert.equal(get.statusCode, 404);
      assert.equal(get.json().error.code, 'dead_letter_not_found');
      const replay = await asB('POST', `/api/v1/dead-letters/${aDeadLetter}/replay`);
      assert.equal(replay.statusCode, 404);
      assert.equal(replay.json().error.code, 'dead_letter_not_found');
      const list = (await asB('GET', '/api/v1/dead-letters')).json();
      assert.deepEqual(list.items, []);
      const after = await t.app.inject({ url: `/api/v1/dead-letters/${aDeadLetter}`, headers: a.auth });
      assert.equal(after.json().dead_letter.retry_count, mine.json().dead_letter.retry_count);
      assert.equal(after.json().dead_letter.status, 'pending');
    });

    it("cannot put a connection in A's workspace", async () => {
      const response = await asB('POST', '/api/v1/connections', {
        connector_id: 'github',
        workspace_id: aWorkspace,
      });
      assert.equal(response.statusCode, 422);
      assert.equal(response.json().error.code, 'validation_failed');
      assert.equal((await asB('GET', '/api/v1/connections')).json().items.length, 1);
    });

    describe('live tail', () => {
      let baseUrl: string;
      before(async () => {
        baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
      });

      const open = async (path: string, headers: Record<string, string>) => {
        const controller = new AbortController();
        const response = await fetch(`${baseUrl}${path}`, { headers, signal: controller.signal });
        assert.equal(response.status, 200);
        assert.ok(response.body !== null);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        return {
          /** The next `data:` payload, skipping comments. */
          async data(): Promise<Envelope> {
            for (;;) {
              const match = /(?:^|\n)data: (.*)\n/.exec(buffer);
              if (match?.[1] !== undefined) {
                buffer = buffer.slice((match.index ?? 0) + match[0].length);
                return JSON.parse(match[1]) as Envelope;
              }
              const { value, done } = await reader.read();
              if (done) throw new Error('the stream ended');
              buffer += value;
            }
          },
          async connected(): Promise<void> {
            while (!buffer.includes(': connected\n\n')) {
              const { value, done } = await reader.read();
              if (done) throw new Error('the stream ended');
              buffer += value;
            }
          },
          async close() {
            controller.abort();
            await reader.cancel().catch(() => {});
          },
        };
      };

      it("never sends A's envelopes to B", async () => {
        const tail = await open('/api/v1/events/stream?event_type=order.*', b.auth);
        await tail.connected();
        await emit(a.auth, aConnection, { emissions: [emission('a2'), emission('a3')] });
        await emit(b.auth, bConnection, { emission: emission('b1') });
        const first = await tail.data();
        await tail.close();
        assert.equal(first.tenant_id, b.tenant.id);
        assert.equal(
          first.dedupe_key,
          'shop-a:order:b1',
          "B's own envelope comes first; A's earlier ones never",
        );
      });

      it("sends B nothing when B filters on A's connection, even resuming from the start", async () => {
        const polls: Array<{ tenantId: string; filter: EnvelopeFilter; found: number }> = [];
        let onPoll = (): void => {};
        const store = t.store;
        const original = store.events.readAfter.bind(store.events);
        store.events.readAfter = async (tenantId, after, filter, limit) => {
          const result = await original(tenantId, after, filter, limit);
          polls.push({ tenantId, filter, found: result.items.length });
          onPoll();
          return result;
        };
        try {
          const tailPolls = () => polls.filter((p) => p.filter.connection_id === aConnection);
          const twoPolls = new Promise<void>((resolve) => {
            onPoll = () => {
              if (tailPolls().length >= 2) resolve();
            };
          });
          const tail = await open(`/api/v1/events/stream?connection_id=${aConnection}`, {
            ...b.auth,
            'last-event-id': '0.0',
          });
          await tail.connected();
          await twoPolls;
          await tail.close();
          assert.ok(
            tailPolls().every((p) => p.tenantId === b.tenant.id && p.found === 0),
            JSON.stringify(tailPolls()),
          );
          const control = await original(a.tenant.id, '0.0', { connection_id: aConnection }, 10);
          assert.ok(control.items.length > 0, "A's connection does have envelopes");
        } finally {
          store.events.readAfter = original;
        }
      });
    });
  });
});
