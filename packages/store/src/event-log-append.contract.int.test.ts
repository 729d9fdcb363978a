import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection, Stores } from '@sluice/core';
import { openConnectedStore, preparedEnvelope, STORE_ADAPTERS, type TestDatabase } from './testing/index.ts';

const prepared = preparedEnvelope;

for (const adapter of STORE_ADAPTERS) {
  describe(`event log append contract: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    let connection: Connection;
    const day = 24 * 3600 * 1000;

    before(async () => {
      ({ db, store, connection } = await openConnectedStore(adapter));
    });
    after(() => db.drop());

    it('appends a batch in order with consecutive sequences and outbox rows', async () => {
      const result = await store.events.append({
        connection,
        envelopes: [1, 2, 3].map((n) => prepared(connection, 1000 + n)),
        dedupeWindowMs: day,
      });
      assert.equal(result.status, 'committed');
      if (result.status !== 'committed') return;
      const sequences = result.outcomes.map((o) => (o.status === 'accepted' ? o.sequence : -1));
      assert.deepEqual(sequences, [sequences[0], (sequences[0] ?? 0) + 1, (sequences[0] ?? 0) + 2]);
      const outbox = await store.outbox.readConnection(
        connection.tenant_id,
        connection.id,
        (sequences[0] ?? 1) - 1,
        10,
      );
      assert.deepEqual(
        outbox.map((o) => o.event_id),
        result.outcomes.map((o) => o.event_id),
      );
      const stored = await store.events.get(connection.tenant_id, result.outcomes[0]?.event_id ?? '');
      assert.equal(stored?.dedupe_key, 'shop:order:1001:created');
      assert.deepEqual(stored?.payload, { entity: { kind: 'order', id: '1001' }, n: 1001 });
      assert.equal(stored?.occurred_at, '2026-06-11T09:03:02.000Z');
    });

    it('marks a later element with the same key as a duplicate of the first, in one batch', async () => {
      const result = await store.events.append({
        connection,
        envelopes: [prepared(connection, 2001), prepared(connection, 2001)],
        dedupeWindowMs: day,
      });
      assert.equal(result.status, 'committed');
      if (result.status !== 'committed') return;
      assert.equal(result.outcomes[0]?.status, 'accepted');
      assert.equal(result.outcomes[1]?.status, 'duplicate');
      assert.equal(result.outcomes[1]?.event_id, result.outcomes[0]?.event_id);
    });

    it('lets a dedupe key be used again once its window has passed', async () => {
      let now = new Date('2030-01-01T00:00:00Z');
      const timed = db.store({ now: () => now });
      const envelope = prepared(connection, 3001);
      const first = await timed.events.append({ connection, envelopes: [envelope], dedupeWindowMs: 60_000 });
      now = new Date(now.getTime() + 30_000);
      const within = await timed.events.append({ connection, envelopes: [envelope], dedupeWindowMs: 60_000 });
      now = new Date(now.getTime() + 31_000);
      const afterWindow = await timed.events.append({
        connection,
        envelopes: [envelope],
        dedupeWindowMs: 60_000,
      });
      assert.ok(
        first.status === 'committed' && within.status === 'committed' && afterWindow.status === 'committed',
      );
      assert.equal(first.outcomes[0]?.status, 'accepted');
      assert.equal(within.outcomes[0]?.status, 'duplicate');
      assert.equal(within.outcomes[0]?.event_id, first.outcomes[0]?.event_id);
      assert.equal(afterWindow.outcomes[0]?.status, 'accepted');
      assert.notEqual(afterWindow.outcomes[0]?.event_id, first.outcomes[0]?.event_id);
    });

    it('writes no outbox row for quiet envelopes, but stores them', async () => {
      const result = await store.events.append({
        connection,
        envelopes: [prepared(connection, 4001, { mode: 'quiet' })],
        dedupeWindowMs: day,
      });
      assert.ok(result.status === 'committed');
      const outcome = result.outcomes[0];
      assert.ok(outcome?.status === 'accepted');
      const outbox = await store.outbox.readConnection(
        connection.tenant_id,
        connection.id,
        outcome.sequence - 1,
        10,
      );
      assert.equal(outbox.length, 0);
      assert.equal((await store.events.get(connection.tenant_id, outcome.event_id))?.mode, 'quiet');
    });

    it('refuses a second use of a replay key and writes nothing', async () => {
      const replay = { key: 'sig-abc', expiresAt: new Date(Date.now() + 300_000) };
      const first = await store.events.append({
        connection,
        envelopes: [prepared(connection, 5001)],
        dedupeWindowMs: day,
        replay,
      });
      const second = await store.events.append({
        connection,
        envelopes: [prepared(connection, 5002)],
        dedupeWindowMs: day,
        replay,
      });
      assert.equal(first.status, 'committed');
      assert.equal(second.status, 'replayed');
      const page = await store.events.query(connection.tenant_id, { entity: 'order:5002' }, { limit: 10 });
      assert.equal(page.items.length, 0);
    });

    it('rejects a connection presented under another tenant, and a retired connection', async () => {
      const other = await store.tenancy.createTenant({ name: 'Other' });
      await assert.rejects(
        store.events.append({
          connection: { id: connection.id, tenant_id: other.id },
          envelopes: [prepared(connection, 6001)],
          dedupeWindowMs: day,
        }),
        { code: 'tenant_mismatch' },
      );
      const doomed = await store.connections.create({
        tenant_id: other.id,
        workspace_id: null,
        connector_id: 'test-orders',
        name: 'doomed',
        config: {},
        secret_ciphertext: 'v1:y',
      });
      await store.connections.retire(other.id, doomed.id);
      await assert.rejects(
        store.events.append({ connection: doomed, envelopes: [prepared(doomed, 6002)], dedupeWindowMs: day }),
        { code: 'connection_retired' },
      );
      assert.equal(await store.connections.get(other.id, connection.id), null);
      assert.equal(
        await store.events.get(
          other.id,
          (await store.events.query(connection.tenant_id, {}, { limit: 1 })).items[0]?.event_id ?? '',
        ),
        null,
      );
    });

    it('shares commits between concurrent appends, each keeping its own result', async () => {
      const groups: number[] = [];
      const grouped = db.store({ groupCommit: { onGroup: (inputs) => groups.push(inputs) } });
      const tenants = await Promise.all(
        [0, 1, 2].map((i) => grouped.tenancy.createTenant({ name: `Group ${i}` })),
      );
      const connections = await Promise.all(
        tenants.map((tenant) =>
          grouped.connections.create({
            tenant_id: tenant.id,
            workspace_id: null,
            connector_id: 'test-orders',
            name: 'g',
            config: {},
            secret_ciphertext: 'v1:g',
          }),
        ),
      );
      const [a, b, c] = connections as [Connection, Connection, Connection];
      await grouped.connections.retire(c.tenant_id, c.id);
      const replay = { key: 'group-replay', expiresAt: new Date(Date.now() + 60_000) };
      const work = [
        ...Array.from({ length: 30 }, (_, i) =>
          grouped.events.append({
            connection: i % 2 ? a : b,
            envelopes: [prepared(i % 2 ? a : b, 7000 + i)],
            dedupeWindowMs: day,
          }),
        ),
        grouped.events.append({ connection: a, envelopes: [prepared(a, 7999)], dedupeWindowMs: day }),
        grouped.events.append({ connection: a, envelopes: [prepared(a, 7999)], dedupeWindowMs: day }),
        grouped.events.append({ connection: b, envelopes: [prepared(b, 7998)], dedupeWindowMs: day, replay }),
        grouped.events.append({ connection: b, envelopes: [prepared(b, 7997)], dedupeWindowMs: day, replay }),
        grouped.events.append({
          connection: { id: a.id, tenant_id: b.tenant_id },
          envelopes: [prepared(a, 7996)],
          dedupeWindowMs: day,
        }),
        grouped.events.append({ connection: c, envelopes: [prepared(c, 7995)], dedupeWindowMs: day }),
      ];
      const settled = await Promise.allSettled(work);
      assert.ok(Math.max(...groups) > 1, `appends never shared a commit: ${groups.join(',')}`);
      const values = settled.slice(0, 34).map((s) => (s.status === 'fulfilled' ? s.value : null));
      assert.ok(
        values.slice(0, 30).every((v) => v?.status === 'committed' && v.outcomes[0]?.status === 'accepted'),
      );
      const shared = values.slice(30, 32).map((v) => (v?.status === 'committed' ? v.outcomes[0] : undefined));
      assert.deepEqual(shared.map((o) => o?.status).sort(), ['accepted', 'duplicate']);
      assert.equal(shared[0]?.event_id, shared[1]?.event_id);
      assert.deepEqual(
        values
          .slice(32, 34)
          .map((v) => v?.status)
          .sort(),
        ['committed', 'replayed'],
      );
      assert.deepEqual(
        settled
          .slice(34)
          .map((s) => (s.status === 'rejected' ? (s.reason as { code?: string }).code : 'fulfilled')),
        ['tenant_mismatch', 'connection_retired'],
      );
      for (const connection of [a, b]) {
        const outbox = await grouped.outbox.readConnection(connection.tenant_id, connection.id, 0, 100);
        assert.deepEqual(
          outbox.map((o) => o.sequence),
          outbox.map((_, i) => i + 1),
          'each connection keeps gapless, ordered sequences',
        );
      }
      assert.equal(
        (await grouped.events.query(b.tenant_id, { entity: 'order:7996' }, { limit: 5 })).items.length,
        0,
      );
    });

    it('fails only the input whose data the database refuses, not its group', async () => {
      const results = await Promise.all([
        store.events.append({ connection, envelopes: [prepared(connection, 8001)], dedupeWindowMs: day }),
        store.events.append({
          connection,
          envelopes: [
            prepared(connection, 8002, {
              payload: { entity: { kind: 'order', id: '8002' }, note: 'a\u0000b' },
            }),
          ],
          dedupeWindowMs: day,
        }),
        store.events.append({ connection, envelopes: [prepared(connection, 8003)], dedupeWindowMs: day }),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['committed', 'refused', 'committed'],
      );
    });
  });
}
