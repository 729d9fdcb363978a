import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Envelope } from '@sluice/core';
import { defineConnector } from '@sluice/map';
import { startTestApp, type TestApp } from './testing/index.ts';

/** An operator-style source whose emissions arrive through the emit API only. */
const appEvents = defineConnector({
  id: 'app-events',
  version: '1.0.0',
  streams: [
    { key: 'orders', mode: 'emit', events: ['order.created', 'order.updated'] },
    { key: 'invoices', mode: 'emit', events: ['invoice.paid'] },
  ],
});

const BURST = 40;
const T0 = Date.parse('2026-06-11T12:00:00.000Z');

interface Emission {
  source?: string;
  event_type: string;
  dedupe_key: string;
  payload: Record<string, unknown>;
  [field: string]: unknown;
}

const order = (
  id: number | string,
  eventType = 'order.created',
  extra: Partial<Emission> = {},
): Emission => ({
  source: 'shop-a',
  event_type: eventType,
  dedupe_key: `shop-a:order:${id}:${eventType}`,
  payload: { entity: { kind: 'order', id: String(id) }, total: 10 },
  ...extra,
});

interface SseFrame {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly comment?: string;
}

/** A live tail read over real HTTP: frames parsed from `id:`/`event:`/`data:` lines. */
async function openTail(baseUrl: string, path: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}${path}`, { headers, signal: controller.signal });
  const body = response.body;
  assert.ok(body !== null);
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const frame = async (): Promise<SseFrame> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':');
          const name = colon === 0 ? 'comment' : line.slice(0, colon);
          fields[name] = line.slice(colon + 1).replace(/^ /, '');
        }
        return fields;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffer += value;
    }
  };
  return {
    response,
    /** The next frame, comments included. */
    frame,
    /** The next envelope, skipping comments. */
    async envelope(): Promise<{ id: string; envelope: Envelope }> {
      for (;;) {
        const next = await frame();
        if (next.comment !== undefined && next.data === undefined) continue;
        assert.equal(next.event, 'envelope');
        assert.ok(next.id !== undefined && next.data !== undefined);
        const envelope = JSON.parse(next.data) as Envelope;
        // The SSE id is the envelope's commit-ordered position, to resume after.
        assert.match(next.id, /^\d+\.\d+$/);
        return { id: next.id, envelope };
      }
    },
    async close(): Promise<void> {
      controller.abort();
      await reader.cancel().catch(() => {});
    },
  };
}

for (const adapter of ['pglite', 'postgres'] as const) {
  describe(`events API (${adapter})`, { timeout: 30_000 }, () => {
    let t: TestApp;
    let clock = T0;
    let auth: { authorization: string };

    before(async () => {
      t = await startTestApp({
        adapter,
        connectors: [appEvents],
        now: () => new Date(clock),
        env: {
          SLUICE_BODY_LIMIT_BYTES: String(200_000),
          SLUICE_MAX_PAYLOAD_BYTES: '2000',
          SLUICE_CONNECTION_RATE: '1',
          SLUICE_CONNECTION_BURST: String(BURST),
        },
      });
      ({ auth } = await t.tenant('Emitter'));
    });
    after(() => t.close());
    // Every test starts with full quota buckets.
    beforeEach(() => {
      clock += 3600_000;
    });

    const connect = async (headers = auth, connectorId = 'app-events'): Promise<string> => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers,
        payload: { connector_id: connectorId },
      });
      assert.equal(response.statusCode, 201, response.body);
      return response.json().connection.id;
    };
    const emit = (body: unknown, headers: Record<string, string> = auth) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers,
        payload: body as Record<string, unknown>,
      });
    const list = async (query: string, headers = auth): Promise<Envelope[]> => {
      const response = await t.app.inject({ url: `/api/v1/events?${query}`, headers });
      assert.equal(response.statusCode, 200, response.body);
      return response.json().items;
    };
    const stored = async (connectionId: string) =>
      (await list(`connection_id=${connectionId}&limit=500`)).map((e) => e.dedupe_key);

    describe('POST /api/v1/events', () => {
      it('commits one emission and stamps the platform fields', async () => {
        const connectionId = await connect();
        const response = await emit({ connection_id: connectionId, emission: order(1) });
        assert.equal(response.statusCode, 200, response.body);
        const body = response.json();
        assert.deepEqual(
          {
            ...body,
            results: body.results.map((r: { event_id: string }) => ({ ...r, event_id: typeof r.event_id })),
          },
          {
            status: 'ok',
            connection_id: connectionId,
            accepted: 1,
            duplicates: 0,
            results: [{ index: 0, status: 'accepted', event_id: 'string' }],
          },
        );
        const got = await t.app.inject({ url: `/api/v1/events/${body.results[0].event_id}`, headers: auth });
        assert.equal(got.statusCode, 200);
        const event = got.json().event as Envelope;
        assert.equal(event.event_id, body.results[0].event_id);
        assert.equal(event.connection_id, connectionId);
        assert.equal(
          event.tenant_id,
          (await t.app.inject({ url: '/api/v1/tenant', headers: auth })).json().tenant.id,
        );
        assert.equal(event.reseller_id, null);
        assert.equal(event.workspace_id, null);
        assert.equal(event.source, 'shop-a');
        assert.equal(event.event_type, 'order.created');
        assert.equal(event.stream, 'orders');
        assert.equal(event.mode, 'live');
        assert.equal(event.received_at, new Date(clock).toISOString());
        assert.match(event.trace_id, /^[0-9a-f]{32}$/);
        assert.equal(typeof event.correlation_id, 'string');
        assert.deepEqual(event.payload, { entity: { kind: 'order', id: '1' }, total: 10 });
      });

      it('acknowledges a repeat as a duplicate of the first event', async () => {
        const connectionId = await connect();
        const first = (await emit({ connection_id: connectionId, emission: order(2) })).json();
        const again = await emit({ connection_id: connectionId, emission: order(2) });
        assert.equal(again.statusCode, 200);
        assert.equal(again.json().accepted, 0);
        assert.equal(again.json().duplicates, 1);
        assert.deepEqual(again.json().results, [
          { index: 0, status: 'duplicate', event_id: first.results[0].event_id },
        ]);
        assert.deepEqual(await stored(connectionId), [order(2).dedupe_key]);
      });

      it('commits a batch in order, with per-element dedupe', async () => {
        const connectionId = await connect();
        const batch = [order(3), order(3, 'order.updated'), order(3), order(4)];
        const response = await emit({ connection_id: connectionId, emissions: batch });
        assert.equal(response.statusCode, 200, response.body);
        const { results, accepted, duplicates } = response.json();
        assert.equal(accepted, 3);
        assert.equal(duplicates, 1);
        assert.deepEqual(
          results.map((r: { index: number; status: string }) => [r.index, r.status]),
          [
            [0, 'accepted'],
            [1, 'accepted'],
            [2, 'duplicate'],
            [3, 'accepted'],
          ],
        );
        assert.equal(results[2].event_id, results[0].event_id);
        assert.deepEqual(
          await stored(connectionId),
          [batch[0], batch[1], batch[3]].map((e) => e?.dedupe_key),
        );
      });

      it('refuses a batch of 501 with batch_too_large, storing nothing', async () => {
        const connectionId = await connect();
        const emissions = Array.from({ length: 501 }, (_, i) => order(`big-${i}`));
        const response = await emit({ connection_id: connectionId, emissions });
        assert.equal(response.statusCode, 400);
        assert.equal(response.json().error.code, 'batch_too_large');
        assert.deepEqual(response.json().error.details, { size: 501, limit: 500 });
        assert.deepEqual(await stored(connectionId), []);
        const exactly500 = await emit({ connection_id: connectionId, emissions: emissions.slice(0, 500) });
        assert.equal(exactly500.statusCode, 200);
        assert.equal(exactly500.json().accepted, 500);
        const empty = await emit({ connection_id: connectionId, emissions: [] });
        assert.equal(empty.statusCode, 400);
        assert.equal(empty.json().error.code, 'batch_empty');
      });

      it('refuses a batch with an invalid element as a whole, naming its index', async () => {
        const connectionId = await connect();
        const { payload: _dropped, ...noPayload } = order(6);
        const response = await emit({
          connection_id: connectionId,
          emissions: [order(5), noPayload, order(7)],
        });
        assert.equal(response.statusCode, 422, response.body);
        const { error } = response.json();
        assert.equal(error.code, 'emission_invalid');
        assert.equal(error.details.index, 1);
        assert.equal(error.details.field, 'payload');
        assert.match(error.message, /Emission 1/);
        assert.deepEqual(await stored(connectionId), [], 'element 0 is not stored either');

        for (const [bad, field] of [
          [{ ...order(8), event_id: 'forged' }, 'event_id'],
          [{ ...order(8), tenant_id: 'ten_other' }, 'tenant_id'],
          [{ ...order(8), source: 'Not A Source' }, 'source'],
          [{ ...order(8), dedupe_key: '' }, 'dedupe_key'],
          [{ ...order(8), occurred_at: 'yesterday' }, 'occurred_at'],
          ['a string', ''],
        ] as const) {
          const single = await emit({ connection_id: connectionId, emission: bad });
          assert.equal(single.statusCode, 422, `${field}: ${single.body}`);
          assert.equal(single.json().error.code, 'emission_invalid');
          assert.equal(single.json().error.details.index, 0);
          assert.equal(single.json().error.details.field, field);
        }
        const big = await emit({
          connection_id: connectionId,
          emission: { ...order(9), payload: { blob: 'x'.repeat(3000) } },
        });
        assert.equal(big.statusCode, 422);
        assert.equal(big.json().error.code, 'emission_too_large');
        assert.deepEqual(await stored(connectionId), []);
      });

      it('refuses an undeclared event type, or one sent on the wrong stream', async () => {
        const connectionId = await connect();
        const undeclared = await emit({ connection_id: connectionId, emission: order(10, 'order.shipped') });
        assert.equal(undeclared.statusCode, 422);
        assert.equal(undeclared.json().error.code, 'event_type_undeclared');
        assert.match(undeclared.json().error.message, /order\.shipped/);
        const wrongStream = await emit({
          connection_id: connectionId,
          emission: { ...order(10), stream: 'invoices' },
        });
        assert.equal(wrongStream.statusCode, 422);
        assert.equal(wrongStream.json().error.code, 'event_type_undeclared');
        assert.deepEqual(await stored(connectionId), []);
      });

      it('wants exactly one of emission and emissions, and no other field', async () => {
        const connectionId = await connect();
        for (const body of [
          { connection_id: connectionId, emission: order(11), emissions: [order(12)] },
          { connection_id: connectionId },
          { connection_id: connectionId, emission: order(11), tenant_id: 'ten_other' },
          { emission: order(11) },
          { connection_id: connectionId, emission: order(11), mode: 'loud' },
        ]) {
          const response = await emit(body);
          assert.equal(response.statusCode, 400, JSON.stringify(body));
          assert.equal(response.json().error.code, 'invalid_request');
        }
        assert.deepEqual(await stored(connectionId), []);
      });

      it('answers malformed JSON, a wrong media type and an oversized body with their own codes', async () => {
        const connectionId = await connect();
        const malformed = await t.app.inject({
          method: 'POST',
          url: '/api/v1/events',
          headers: { ...auth, 'content-type': 'application/json' },
          payload: `{"connection_id":"${connectionId}","emission":{`,
        });
        assert.equal(malformed.statusCode, 400);
        assert.equal(malformed.json().error.code, 'invalid_json');
        for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
          const response = await t.app.inject({
            method: 'POST',
            url: '/api/v1/events',
            headers: { ...auth, 'content-type': type },
            payload: JSON.stringify({ connection_id: connectionId, emission: order(13) }),
          });
          assert.equal(response.statusCode, 415, `${type}: ${response.body}`);
          assert.equal(response.json().error.code, 'unsupported_media_type');
        }
        const huge = await emit({
          connection_id: connectionId,
          emissions: Array.from({ length: 400 }, (_, i) => ({
            ...order(i),
            payload: { pad: 'y'.repeat(600) },
          })),
        });
        assert.equal(huge.statusCode, 413);
        assert.equal(huge.json().error.code, 'payload_too_large');
        assert.deepEqual(await stored(connectionId), []);
      });

      it('needs a key and a connection of the caller', async () => {
        const connectionId = await connect();
        const noKey = await emit({ connection_id: connectionId, emission: order(14) }, {});
        assert.equal(noKey.statusCode, 401);
        assert.equal(noKey.json().error.code, 'unauthenticated');
        const badKey = await emit(
          { connection_id: connectionId, emission: order(14) },
          { authorization: 'Bearer slk_not_a_key' },
        );
        assert.equal(badKey.statusCode, 401);
        const unknown = await emit({ connection_id: 'con_unknown', emission: order(14) });
        assert.equal(unknown.statusCode, 404);
        assert.equal(unknown.json().error.code, 'connection_not_found');
        assert.deepEqual(await stored(connectionId), []);
      });

      it('refuses a retired connection with 409', async () => {
        const connectionId = await connect();
        await t.app.inject({
          method: 'POST',
          url: `/api/v1/connections/${connectionId}/retire`,
          headers: auth,
        });
        const response = await emit({ connection_id: connectionId, emission: order(15) });
        assert.equal(response.statusCode, 409);
        assert.equal(response.json().error.code, 'connection_retired');
        assert.deepEqual(await stored(connectionId), []);
      });

      it('stamps the trace id of an inbound traceparent', async () => {
        const connectionId = await connect();
        const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/v1/events',
          headers: { ...auth, traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
          payload: { connection_id: connectionId, emissions: [order(16), order(17)] },
        });
        assert.equal(response.statusCode, 200, response.body);
        const events = await list(`connection_id=${connectionId}`);
        assert.deepEqual(
          events.map((e) => e.trace_id),
          [traceId, traceId],
        );
        const garbage = await t.app.inject({
          method: 'POST',
          url: '/api/v1/events',
          headers: { ...auth, traceparent: 'not-a-traceparent' },
          payload: { connection_id: connectionId, emission: order(18) },
        });
        const [stamped] = await list(`connection_id=${connectionId}&entity=order:18`);
        assert.equal(garbage.statusCode, 200);
        assert.match(stamped?.trace_id ?? '', /^[0-9a-f]{32}$/);
        assert.notEqual(stamped?.trace_id, traceId);
      });

      it('stores quiet mode as quiet', async () => {
        const connectionId = await connect();
        await emit({ connection_id: connectionId, emission: order(19), mode: 'quiet' });
        await emit({ connection_id: connectionId, emission: order(20) });
        const quiet = await list(`connection_id=${connectionId}&mode=quiet`);
        assert.deepEqual(
          quiet.map((e) => [e.dedupe_key, e.mode]),
          [[order(19).dedupe_key, 'quiet']],
        );
        const live = await list(`connection_id=${connectionId}&mode=live`);
        assert.deepEqual(
          live.map((e) => e.dedupe_key),
          [order(20).dedupe_key],
        );
      });

      it('answers 429 with Retry-After over the connection quota, storing nothing', async () => {
        const connectionId = await connect();
        for (let i = 0; i < BURST; i++) {
          const response = await emit({ connection_id: connectionId, emission: { not: 'an emission' } });
          assert.equal(response.statusCode, 422);
        }
        const over = await emit({ connection_id: connectionId, emission: order(21) });
        assert.equal(over.statusCode, 429);
        assert.equal(over.json().error.code, 'quota_exceeded');
        assert.equal(over.headers['retry-after'], '1');
        assert.deepEqual(await stored(connectionId), []);
        clock += 1000;
        assert.equal((await emit({ connection_id: connectionId, emission: order(21) })).statusCode, 200);
      });
    });

    describe('GET /api/v1/events', () => {
      let headers: { authorization: string };
      let shop: string;
      let billing: string;
      const at = (minutes: number) => new Date(T0 - 3600_000 * 24 + minutes * 60_000).toISOString();

      before(async () => {
        ({ auth: headers } = await t.tenant('Query'));
        shop = await connect(headers);
        billing = await connect(headers);
        const send = async (connectionId: string, minutes: number, emission: Emission, mode = 'live') => {
          clock = Date.parse(at(minutes));
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
        clock = T0 + 1000 * 3600_000;
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
        const bad = await t.app.inject({ url: '/api/v1/events?mode=loud', headers });
        assert.equal(bad.statusCode, 400);
      });

      it('filters by received_at with since (inclusive) and until (exclusive)', async () => {
        assert.deepEqual(await keys(`since=${at(10)}&event_type=order.*`), [ALL[1], ALL[2], ALL[4]]);
        assert.deepEqual(await keys(`until=${at(20)}&source=shop-a`), [ALL[0], ALL[1]]);
        assert.deepEqual(await keys(`since=${at(10)}&until=${at(30)}&event_type=order.*`), [ALL[1], ALL[2]]);
        assert.deepEqual(await keys(`since=${at(41)}&event_type=order.*`), []);
        const bad = await t.app.inject({ url: '/api/v1/events?since=last-tuesday', headers });
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
          const response = await t.app.inject({ url: `/api/v1/events?${query}`, headers });
          assert.equal(response.statusCode, 200);
          const body = response.json() as { items: Envelope[]; next_cursor: string | null };
          seen.push(...body.items.map((e) => e.dedupe_key));
          cursor = body.next_cursor;
          pages++;
        } while (cursor !== null);
        assert.equal(pages, 2);
        assert.deepEqual(seen, [ALL[0], ALL[1], ALL[2], ALL[4]]);
        const desc = await t.app.inject({
          url: '/api/v1/events?event_type=order.*&order=desc&limit=2',
          headers,
        });
        const first = desc.json();
        assert.deepEqual(
          first.items.map((e: Envelope) => e.dedupe_key),
          [ALL[4], ALL[2]],
        );
        const second = await t.app.inject({
          url: `/api/v1/events?event_type=order.*&order=desc&limit=2&cursor=${first.next_cursor}`,
          headers,
        });
        assert.deepEqual(
          second.json().items.map((e: Envelope) => e.dedupe_key),
          [ALL[1], ALL[0]],
        );
      });

      it('refuses a bad cursor and a bad limit', async () => {
        const cursor = await t.app.inject({ url: '/api/v1/events?cursor=page-2', headers });
        assert.equal(cursor.statusCode, 400);
        assert.equal(cursor.json().error.code, 'invalid_cursor');
        for (const limit of ['0', '501', 'ten']) {
          const response = await t.app.inject({ url: `/api/v1/events?limit=${limit}`, headers });
          assert.equal(response.statusCode, 400, limit);
          assert.equal(response.json().error.code, 'invalid_request');
        }
      });

      it('answers 404 event_not_found for an unknown id', async () => {
        for (const id of ['01890a5d-ac96-774b-bcce-b302099a8057', 'not-an-event-id']) {
          const response = await t.app.inject({ url: `/api/v1/events/${id}`, headers });
          assert.equal(response.statusCode, 404);
          assert.equal(response.json().error.code, 'event_not_found');
        }
      });
    });

    describe('GET /api/v1/events/stream', () => {
      let baseUrl: string;
      let connectionId: string;
      before(async () => {
        baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
        connectionId = await connect();
      });

      it('needs a key before it streams', async () => {
        const response = await fetch(`${baseUrl}/api/v1/events/stream`);
        assert.equal(response.status, 401);
        assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'unauthenticated');
      });

      it('answers a bad filter with 400 before the stream opens, even when resuming', async () => {
        const response = await fetch(`${baseUrl}/api/v1/events/stream?since=yesterday`, {
          headers: { ...auth, 'last-event-id': '01a201a3-ce41-75bd-aafa-4f33ad7e9c5c' },
        });
        assert.equal(response.status, 400);
        assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'invalid_request');
      });

      it('sends the envelopes emitted after connecting, in order, and resumes after Last-Event-ID', async () => {
        const filter = `/api/v1/events/stream?connection_id=${connectionId}`;
        await emit({ connection_id: connectionId, emission: order('before') });
        const tail = await openTail(baseUrl, filter, auth);
        assert.equal(tail.response.status, 200);
        assert.match(String(tail.response.headers.get('content-type')), /^text\/event-stream/);
        assert.deepEqual(await tail.frame(), { comment: 'connected' });

        await emit({ connection_id: connectionId, emissions: [order('s1'), order('s2')] });
        await emit({ connection_id: connectionId, emission: order('s3') });
        const received = [await tail.envelope(), await tail.envelope(), await tail.envelope()];
        assert.deepEqual(
          received.map((r) => r.envelope.dedupe_key),
          [order('s1').dedupe_key, order('s2').dedupe_key, order('s3').dedupe_key],
        );
        await tail.close();

        await emit({ connection_id: connectionId, emissions: [order('s4'), order('s5')] });
        const resumed = await openTail(baseUrl, filter, { ...auth, 'last-event-id': received[1]?.id ?? '' });
        const marker = order('marker');
        const replayed = [await resumed.envelope(), await resumed.envelope(), await resumed.envelope()];
        await emit({ connection_id: connectionId, emission: marker });
        const next = await resumed.envelope();
        await resumed.close();
        assert.deepEqual(
          [...replayed, next].map((r) => r.envelope.dedupe_key),
          ['s3', 's4', 's5', 'marker'].map((id) => order(id).dedupe_key),
          'exactly the envelopes after the resumed id, then live ones',
        );

        const byQuery = await openTail(baseUrl, `${filter}&last_event_id=${received[2]?.id}`, auth);
        assert.equal((await byQuery.envelope()).envelope.dedupe_key, order('s4').dedupe_key);
        await byQuery.close();

        // An event id still resumes: the tail starts after that envelope's position.
        const byEventId = await openTail(baseUrl, filter, {
          ...auth,
          'last-event-id': received[2]?.envelope.event_id ?? '',
        });
        assert.equal((await byEventId.envelope()).envelope.dedupe_key, order('s4').dedupe_key);
        await byEventId.close();
      });

      it('applies the filters', async () => {
        const tail = await openTail(
          baseUrl,
          `/api/v1/events/stream?connection_id=${connectionId}&event_type=invoice.*`,
          auth,
        );
        await tail.frame();
        const invoice = (id: string) => ({
          source: 'billing',
          event_type: 'invoice.paid',
          dedupe_key: `billing:invoice:${id}`,
          payload: { entity: { kind: 'invoice', id } },
        });
        const other = await connect();
        await emit({ connection_id: connectionId, emissions: [order('f1'), invoice('f1')] });
        await emit({ connection_id: other, emission: invoice('elsewhere') });
        await emit({ connection_id: connectionId, emissions: [order('f2'), invoice('f2')] });
        const got = [await tail.envelope(), await tail.envelope()];
        await tail.close();
        assert.deepEqual(
          got.map((r) => r.envelope.dedupe_key),
          ['billing:invoice:f1', 'billing:invoice:f2'],
        );
      });
    });
  });
}
