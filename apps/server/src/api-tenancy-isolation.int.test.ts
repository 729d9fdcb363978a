import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Envelope, EnvelopeFilter } from '@sluice/core';
import { signWebhook } from '@sluice/signatures';
import { openEventStream } from './testing/event-stream-client.ts';
import { type Auth, emission, useTenancyApi } from './testing/tenancy-api.ts';

describe('tenancy', () => {
  const api = useTenancyApi();
  const { createTenant, createConnection, emit } = api;

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
      const delivery = await api.t.app.inject({
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
        await api.t.app.inject({
          method: 'POST',
          url: '/api/v1/workspaces',
          headers: a.auth,
          payload: { name: 'A only' },
        })
      ).json().workspace.id;
    });

    const asB = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
      api.t.app.inject({ method, url, headers: b.auth, ...(payload === undefined ? {} : { payload }) });

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
      const mine = await api.t.app.inject({ url: `/api/v1/connections/${aConnection}`, headers: a.auth });
      assert.equal(mine.json().connection.status, 'active');
      const secrets = await api.t.sql.query('SELECT 1 FROM connection_secrets WHERE connection_id = $1', [
        aConnection,
      ]);
      assert.equal(secrets.length, 1);
      const aFacts = (
        await api.t.app.inject({ url: '/api/v1/events?event_type=*&limit=500', headers: a.auth })
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
        await api.t.app.inject({ url: `/api/v1/events?connection_id=${aConnection}`, headers: a.auth })
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
      const mine = await api.t.app.inject({ url: `/api/v1/dead-letters/${aDeadLetter}`, headers: a.auth });
      assert.equal(mine.statusCode, 200);
      const get = await asB('GET', `/api/v1/dead-letters/${aDeadLetter}`);
      assert.equal(get.statusCode, 404);
      assert.equal(get.json().error.code, 'dead_letter_not_found');
      const replay = await asB('POST', `/api/v1/dead-letters/${aDeadLetter}/replay`);
      assert.equal(replay.statusCode, 404);
      assert.equal(replay.json().error.code, 'dead_letter_not_found');
      const list = (await asB('GET', '/api/v1/dead-letters')).json();
      assert.deepEqual(list.items, []);
      const after = await api.t.app.inject({ url: `/api/v1/dead-letters/${aDeadLetter}`, headers: a.auth });
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
        baseUrl = await api.t.app.listen({ host: '127.0.0.1', port: 0 });
      });

      const open = async (path: string, headers: Record<string, string>) => {
        const tail = await openEventStream(baseUrl, path, headers);
        assert.equal(tail.response.status, 200);
        return tail;
      };

      it("never sends A's envelopes to B", async () => {
        const tail = await open('/api/v1/events/stream?event_type=order.*', b.auth);
        await tail.connected();
        await emit(a.auth, aConnection, { emissions: [emission('a2'), emission('a3')] });
        await emit(b.auth, bConnection, { emission: emission('b1') });
        const { envelope: first } = await tail.envelope();
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
        const store = api.t.store;
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
