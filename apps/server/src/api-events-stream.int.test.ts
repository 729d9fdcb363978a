import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { openEventStream } from './testing/event-stream-client.ts';
import { order, useEventsApi } from './testing/events-api.ts';

for (const adapter of ['pglite', 'postgres'] as const) {
  describe(`events API (${adapter})`, { timeout: 30_000 }, () => {
    const api = useEventsApi(adapter);
    const { connect, emit } = api;

    describe('GET /api/v1/events/stream', () => {
      let baseUrl: string;
      let connectionId: string;
      before(async () => {
        baseUrl = await api.t.app.listen({ host: '127.0.0.1', port: 0 });
        connectionId = await connect();
      });

      it('needs a key before it streams', async () => {
        const response = await fetch(`${baseUrl}/api/v1/events/stream`);
        assert.equal(response.status, 401);
        assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'unauthenticated');
      });

      it('answers a bad filter with 400 before the stream opens, even when resuming', async () => {
        const response = await fetch(`${baseUrl}/api/v1/events/stream?since=yesterday`, {
          headers: { ...api.auth, 'last-event-id': '01a201a3-ce41-75bd-aafa-4f33ad7e9c5c' },
        });
        assert.equal(response.status, 400);
        assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'invalid_request');
      });

      it('sends the envelopes emitted after connecting, in order, and resumes after Last-Event-ID', async () => {
        const filter = `/api/v1/events/stream?connection_id=${connectionId}`;
        await emit({ connection_id: connectionId, emission: order('before') });
        const tail = await openEventStream(baseUrl, filter, api.auth);
        assert.equal(tail.response.status, 200);
        assert.match(String(tail.response.headers.get('content-type')), /^text\/event-stream/);
        assert.deepEqual(await tail.frame(), { comment: 'connected' });

        await emit({ connection_id: connectionId, emissions: [order('s1'), order('s2')] });
        await emit({ connection_id: connectionId, emission: order('s3') });
        // The tail starts at the commit horizon: while another transaction of the cluster is open, an
        // envelope committed just before connecting may come too (never one skipped), so 'before' may lead.
        const received: Array<Awaited<ReturnType<typeof tail.envelope>>> = [];
        while (received.length < 3) {
          const frame = await tail.envelope();
          if (frame.envelope.dedupe_key !== order('before').dedupe_key) received.push(frame);
        }
        assert.deepEqual(
          received.map((r) => r.envelope.dedupe_key),
          [order('s1').dedupe_key, order('s2').dedupe_key, order('s3').dedupe_key],
        );
        await tail.close();

        await emit({ connection_id: connectionId, emissions: [order('s4'), order('s5')] });
        const resumed = await openEventStream(baseUrl, filter, {
          ...api.auth,
          'last-event-id': received[1]?.id ?? '',
        });
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

        const byQuery = await openEventStream(
          baseUrl,
          `${filter}&last_event_id=${received[2]?.id}`,
          api.auth,
        );
        assert.equal((await byQuery.envelope()).envelope.dedupe_key, order('s4').dedupe_key);
        await byQuery.close();

        // An event id still resumes: the tail starts after that envelope's position.
        const byEventId = await openEventStream(baseUrl, filter, {
          ...api.auth,
          'last-event-id': received[2]?.envelope.event_id ?? '',
        });
        assert.equal((await byEventId.envelope()).envelope.dedupe_key, order('s4').dedupe_key);
        await byEventId.close();
      });

      it('applies the filters', async () => {
        const tail = await openEventStream(
          baseUrl,
          `/api/v1/events/stream?connection_id=${connectionId}&event_type=invoice.*`,
          api.auth,
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
