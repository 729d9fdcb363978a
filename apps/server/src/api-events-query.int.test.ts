import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Envelope } from '@sluice/core';
import { type Emission, order, T0, useEventsApi } from './testing/events-api.ts';

for (const adapter of ['pglite', 'postgres'] as const) {
  describe(`events API (${adapter})`, { timeout: 30_000 }, () => {
    const api = useEventsApi(adapter);
    const { connect, emit, list } = api;

    describe('GET /api/v1/events', () => {
      let headers: { authorization: string };
      let shop: string;
      let billing: string;
      const at = (minutes: number) => new Date(T0 - 3600_000 * 24 + minutes * 60_000).toISOString();

      before(async () => {
        ({ auth: headers } = await api.t.tenant('Query'));
        shop = await connect(headers);
        billing = await connect(headers);
        const send = async (connectionId: string, minutes: number, emission: Emission, mode = 'live') => {
          api.clock = Date.parse(at(minutes));
          const response = await emit({ connection_id: connectionId, emission, mode }, headers);
          assert.equal(response.statusCode, 200, response.body);
        };
        await send(shop, 0, order(1));
        await send(shop, 10, order(1, 'order.updated'));
        await send(shop, 20, order(2, 'order.created', { source: 'shop-b', dedupe_key: 'shop-b:2' }));
        await send(
          billing,
          30,
          {
            source: 'billing',
            event_type: 'invoice.paid',
            dedupe_key: 'billing:inv:9',
            payload: { entity: { kind: 'invoice', id: '9' } },
          },
          'quiet',
        );
        await send(
          billing,
          40,
          order(3, 'order.created', { source: 'billing', dedupe_key: 'billing:ord:3' }),
        );
        api.clock = T0 + 1000 * 3600_000;
      });

      const keys = async (query: string) => (await list(query, headers)).map((e) => e.dedupe_key);
      const ALL = [
        order(1).dedupe_key,
        order(1, 'order.updated').dedupe_key,
        'shop-b:2',
        'billing:inv:9',
        'billing:ord:3',
      ];

      it('filters by event type, exactly or by glob', async () => {
        assert.deepEqual(await keys('event_type=order.created'), [ALL[0], ALL[2], ALL[4]]);
        assert.deepEqual(await keys('event_type=order.*'), [ALL[0], ALL[1], ALL[2], ALL[4]]);
        assert.deepEqual(await keys('event_type=*.paid'), [ALL[3]]);
        assert.deepEqual(
          (await list('event_type=connection.*', headers)).map((e) => e.event_type),
          ['connection.established', 'connection.established'],
          'platform events of the tenant are queryable too',
        );
        assert.deepEqual(await keys('event_type=order_created'), [], 'an underscore is not a wildcard');
      });

      it('filters by entity, source, connection, stream and mode', async () => {
        assert.deepEqual(await keys('entity=order:1'), [ALL[0], ALL[1]]);
        assert.deepEqual(await keys('source=billing'), [ALL[3], ALL[4]]);
        assert.deepEqual(await keys(`connection_id=${shop}`), [ALL[0], ALL[1], ALL[2]]);
        assert.deepEqual(await keys(`connection_id=${billing}&event_type=order.*`), [ALL[4]]);
        assert.deepEqual(await keys('stream=invoices'), [ALL[3]]);
        assert.deepEqual(await keys('stream=orders&source=shop-a'), [ALL[0], ALL[1]]);
        assert.deepEqual(await keys('mode=quiet'), [ALL[3]]);
        const bad = await api.t.app.inject({ url: '/api/v1/events?mode=loud', headers });
        assert.equal(bad.statusCode, 400);
      });

      it('filters by received_at with since (inclusive) and until (exclusive)', async () => {
        assert.deepEqual(await keys(`since=${at(10)}&event_type=order.*`), [ALL[1], ALL[2], ALL[4]]);
        assert.deepEqual(await keys(`until=${at(20)}&source=shop-a`), [ALL[0], ALL[1]]);
        assert.deepEqual(await keys(`since=${at(10)}&until=${at(30)}&event_type=order.*`), [ALL[1], ALL[2]]);
        assert.deepEqual(await keys(`since=${at(41)}&event_type=order.*`), []);
        const bad = await api.t.app.inject({ url: '/api/v1/events?since=last-tuesday', headers });
        assert.equal(bad.statusCode, 400);
        assert.equal(bad.json().error.code, 'invalid_request');
        assert.match(bad.json().error.message, /since/);
      });

      it('pages through next_cursor, in both orders', async () => {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const query: string = `event_type=order.*&limit=3${cursor === null ? '' : `&cursor=${cursor}`}`;
          const response = await api.t.app.inject({ url: `/api/v1/events?${query}`, headers });
          assert.equal(response.statusCode, 200);
          const body = response.json() as { items: Envelope[]; next_cursor: string | null };
          seen.push(...body.items.map((e) => e.dedupe_key));
          cursor = body.next_cursor;
          pages++;
        } while (cursor !== null);
        assert.equal(pages, 2);
        assert.deepEqual(seen, [ALL[0], ALL[1], ALL[2], ALL[4]]);
        const desc = await api.t.app.inject({
          url: '/api/v1/events?event_type=order.*&order=desc&limit=2',
          headers,
        });
        const first = desc.json();
        assert.deepEqual(
          first.items.map((e: Envelope) => e.dedupe_key),
          [ALL[4], ALL[2]],
        );
        const second = await api.t.app.inject({
          url: `/api/v1/events?event_type=order.*&order=desc&limit=2&cursor=${first.next_cursor}`,
          headers,
        });
        assert.deepEqual(
          second.json().items.map((e: Envelope) => e.dedupe_key),
          [ALL[1], ALL[0]],
        );
      });

      it('refuses a bad cursor and a bad limit', async () => {
        const cursor = await api.t.app.inject({ url: '/api/v1/events?cursor=page-2', headers });
        assert.equal(cursor.statusCode, 400);
        assert.equal(cursor.json().error.code, 'invalid_cursor');
        for (const limit of ['0', '501', 'ten']) {
          const response = await api.t.app.inject({ url: `/api/v1/events?limit=${limit}`, headers });
          assert.equal(response.statusCode, 400, limit);
          assert.equal(response.json().error.code, 'invalid_request');
        }
      });

      it('answers 404 event_not_found for an unknown id', async () => {
        for (const id of ['01890a5d-ac96-774b-bcce-b302099a8057', 'not-an-event-id']) {
          const response = await api.t.app.inject({ url: `/api/v1/events/${id}`, headers });
          assert.equal(response.statusCode, 404);
          assert.equal(response.json().error.code, 'event_not_found');
        }
      });
    });
  });
}
