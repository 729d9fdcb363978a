import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Envelope } from '@sluice/core';
import { BURST, order, useEventsApi } from './testing/events-api.ts';

for (const adapter of ['pglite', 'postgres'] as const) {
  describe(`events API (${adapter})`, { timeout: 30_000 }, () => {
    const api = useEventsApi(adapter);
    const { connect, emit, list, stored } = api;

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
        const got = await api.t.app.inject({
          url: `/api/v1/events/${body.results[0].event_id}`,
          headers: api.auth,
        });
        assert.equal(got.statusCode, 200);
        const event = got.json().event as Envelope;
        assert.equal(event.event_id, body.results[0].event_id);
        assert.equal(event.connection_id, connectionId);
        assert.equal(
          event.tenant_id,
          (await api.t.app.inject({ url: '/api/v1/tenant', headers: api.auth })).json().tenant.id,
        );
        assert.equal(event.reseller_id, null);
        assert.equal(event.workspace_id, null);
        assert.equal(event.source, 'shop-a');
        assert.equal(event.event_type, 'order.created');
        assert.equal(event.stream, 'orders');
        assert.equal(event.mode, 'live');
        assert.equal(event.received_at, new Date(api.clock).toISOString());
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
          [{ ...order(8), source: 'sluice', event_type: 'run.completed' }, 'source'],
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
        const malformed = await api.t.app.inject({
          method: 'POST',
          url: '/api/v1/events',
          headers: { ...api.auth, 'content-type': 'application/json' },
          payload: `{"connection_id":"${connectionId}","emission":{`,
        });
        assert.equal(malformed.statusCode, 400);
        assert.equal(malformed.json().error.code, 'invalid_json');
        for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
          const response = await api.t.app.inject({
            method: 'POST',
            url: '/api/v1/events',
            headers: { ...api.auth, 'content-type': type },
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
        await api.t.app.inject({
          method: 'POST',
          url: `/api/v1/connections/${connectionId}/retire`,
          headers: api.auth,
        });
        const response = await emit({ connection_id: connectionId, emission: order(15) });
        assert.equal(response.statusCode, 409);
        assert.equal(response.json().error.code, 'connection_retired');
        assert.deepEqual(await stored(connectionId), []);
      });

      it('stamps the trace id of an inbound traceparent', async () => {
        const connectionId = await connect();
        const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
        const response = await api.t.app.inject({
          method: 'POST',
          url: '/api/v1/events',
          headers: { ...api.auth, traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
          payload: { connection_id: connectionId, emissions: [order(16), order(17)] },
        });
        assert.equal(response.statusCode, 200, response.body);
        const events = await list(`connection_id=${connectionId}`);
        assert.deepEqual(
          events.map((e) => e.trace_id),
          [traceId, traceId],
        );
        const garbage = await api.t.app.inject({
          method: 'POST',
          url: '/api/v1/events',
          headers: { ...api.auth, traceparent: 'not-a-traceparent' },
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
        api.clock += 1000;
        assert.equal((await emit({ connection_id: connectionId, emission: order(21) })).statusCode, 200);
      });
    });
  });
}
