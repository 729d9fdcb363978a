import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection, Connector, Emission, Stores } from '@sluice/core';
import { STORE_ADAPTERS, type TestDatabase } from '@sluice/store/testing';
import { createIngestor, type Ingestor, type IngestResult } from './ingestor.ts';
import { testConnector } from './testing/test-connector.ts';

const connectors = new Map<string, Connector>([[testConnector.id, testConnector]]);

const created = (id: number | string, extra: Record<string, unknown> = {}): Emission => ({
  source: 'shop',
  event_type: 'order.created',
  dedupe_key: `shop:order:${id}:created`,
  payload: { entity: { kind: 'order', id: String(id) }, ...extra },
});

for (const adapter of STORE_ADAPTERS) {
  describe(`ingest over ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    let ingestor: Ingestor;
    const newConnection = async (tenantId: string, name = 'shop'): Promise<Connection> =>
      store.connections.create({
        tenant_id: tenantId,
        workspace_id: null,
        connector_id: testConnector.id,
        name,
        config: {},
        secret_ciphertext: 'v1:test',
      });

    before(async () => {
      db = await adapter.open();
      store = db.store();
      await store.maintenance.migrate();
      ingestor = createIngestor({ events: store.events, connectors });
    });
    after(() => db.drop());

    it('stores exactly one envelope for 50 concurrent ingests of the same emission', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Concurrent' });
      const connection = await newConnection(tenant.id);
      // Several stores over one database stand in for several receiver processes.
      const ingestors = [0, 1, 2, 3, 4].map(() => createIngestor({ events: db.store().events, connectors }));
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          ingestors[i % 5]?.ingest(connection, [created(42, { total: 10 })]),
        ),
      );
      const elements = results.map((r) => (r?.status === 'committed' ? r.results[0] : undefined));
      const accepted = elements.filter((e) => e?.status === 'accepted');
      const duplicates = elements.filter((e) => e?.status === 'duplicate');
      assert.equal(accepted.length, 1);
      assert.equal(duplicates.length, 49);
      assert.ok(duplicates.every((d) => d?.event_id === accepted[0]?.event_id));
      const stored = await store.events.query(tenant.id, { entity: 'order:42' }, { limit: 100 });
      assert.equal(stored.items.length, 1);
      assert.equal(stored.items[0]?.event_id, accepted[0]?.event_id);
    });

    it('dedupes by the database constraint across connections that do not share a lock', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Racing' });
      const connections = await Promise.all([0, 1, 2, 3, 4].map((i) => newConnection(tenant.id, `gw-${i}`)));
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          createIngestor({ events: db.store().events, connectors }).ingest(connections[i % 5] as Connection, [
            created(77),
          ]),
        ),
      );
      const elements = results.map((r) => (r.status === 'committed' ? r.results[0] : undefined));
      const accepted = elements.filter((e) => e?.status === 'accepted');
      assert.equal(accepted.length, 1);
      assert.ok(elements.every((e) => e?.event_id === accepted[0]?.event_id));
      const stored = await store.events.query(tenant.id, { entity: 'order:77' }, { limit: 100 });
      assert.equal(stored.items.length, 1);
    });

    it('stores both versions of a recurring event type keyed with a version discriminator', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Recurring' });
      const connection = await newConnection(tenant.id);
      const update = (updatedAt: string): Emission => ({
        source: 'shop',
        event_type: 'order.updated',
        dedupe_key: `shop:order:7:updated:${updatedAt}`,
        payload: { entity: { kind: 'order', id: '7' }, updated_at: updatedAt },
      });
      const first = await ingestor.ingest(connection, [update('2026-06-11T09:00:00Z')]);
      const second = await ingestor.ingest(connection, [update('2026-06-11T09:05:00Z')]);
      const retry = await ingestor.ingest(connection, [update('2026-06-11T09:05:00Z')]);
      assert.ok(
        first.status === 'committed' && second.status === 'committed' && retry.status === 'committed',
      );
      assert.equal(first.results[0]?.status, 'accepted');
      assert.equal(second.results[0]?.status, 'accepted');
      assert.equal(retry.results[0]?.status, 'duplicate');
      assert.equal(retry.results[0]?.event_id, second.results[0]?.event_id);
      const stored = await store.events.query(tenant.id, { event_type: 'order.updated' }, { limit: 10 });
      assert.deepEqual(
        stored.items.map((e) => e.payload['updated_at']),
        ['2026-06-11T09:00:00Z', '2026-06-11T09:05:00Z'],
      );
    });

    it('stores nothing from a batch with one invalid element, and names its index and rule', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Atomic' });
      const connection = await newConnection(tenant.id);
      const batch: unknown[] = Array.from({ length: 10 }, (_, i) => created(i));
      batch[6] = { ...created(6), payload: 'not an object' };
      const invalid = await ingestor.ingest(connection, batch);
      assert.ok(invalid.status === 'rejected');
      assert.equal(invalid.rejection.code, 'emission_invalid');
      assert.equal(invalid.rejection.index, 6);
      assert.equal(invalid.rejection.field, 'payload');
      assert.equal(invalid.rejection.rule, 'object');
      assert.match(invalid.rejection.message, /Emission 6/);
      batch[6] = { ...created(6), event_type: 'order.exploded' };
      assert.equal(rejectionCode(await ingestor.ingest(connection, batch)), 'event_type_undeclared');
      batch[6] = { ...created(6), tenant_id: 'ten_someone_else' };
      assert.equal(rejectionCode(await ingestor.ingest(connection, batch)), 'emission_invalid');
      const stored = await store.events.query(tenant.id, {}, { limit: 10 });
      assert.equal(stored.items.length, 0);
    });

    it('keeps the order of a valid batch of 500, in event ids and connection sequence', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Ordered' });
      const connection = await newConnection(tenant.id);
      const batch = Array.from({ length: 500 }, (_, i) => created(`b${i}`, { position: i }));
      const result = await ingestor.ingest(connection, batch);
      assert.ok(result.status === 'committed');
      assert.ok(result.results.every((r) => r.status === 'accepted'));
      const positions: unknown[] = [];
      let after: string | undefined;
      do {
        const page = await store.events.query(
          tenant.id,
          {},
          after === undefined ? { limit: 200 } : { limit: 200, after },
        );
        positions.push(...page.items.map((e) => e.payload['position']));
        after = page.next ?? undefined;
      } while (after !== undefined);
      assert.deepEqual(
        positions,
        batch.map((_, i) => i),
      );
      const outbox = await store.outbox.readConnection(tenant.id, connection.id, 0, 1000);
      assert.deepEqual(
        outbox.map((o) => o.event_id),
        result.results.map((r) => r.event_id),
      );
      assert.deepEqual(
        outbox.map((o) => o.sequence),
        batch.map((_, i) => i + 1),
      );
    });

    it('refuses a batch over 500 and an empty batch', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Big' });
      const connection = await newConnection(tenant.id);
      const batch = Array.from({ length: 501 }, (_, i) => created(i));
      assert.equal(rejectionCode(await ingestor.ingest(connection, batch)), 'batch_too_large');
      assert.equal(rejectionCode(await ingestor.ingest(connection, [])), 'batch_empty');
    });

    it('keeps two tenants using the same dedupe key apart', async () => {
      const a = await store.tenancy.createTenant({ name: 'A' });
      const b = await store.tenancy.createTenant({ name: 'B' });
      const ra = await ingestor.ingest(await newConnection(a.id), [created(1)]);
      const rb = await ingestor.ingest(await newConnection(b.id), [created(1)]);
      assert.ok(ra.status === 'committed' && rb.status === 'committed');
      assert.equal(ra.results[0]?.status, 'accepted');
      assert.equal(rb.results[0]?.status, 'accepted');
      assert.notEqual(ra.results[0]?.event_id, rb.results[0]?.event_id);
      assert.equal(await store.events.get(b.id, ra.results[0]?.event_id ?? ''), null);
    });

    it('never lets a connection write into another tenant, whatever the body says', async () => {
      const victim = await store.tenancy.createTenant({ name: 'Victim' });
      const attacker = await store.tenancy.createTenant({ name: 'Attacker' });
      const attackerConnection = await newConnection(attacker.id);
      // The connection decides tenancy: a body naming another tenant is refused, not obeyed.
      assert.equal(
        rejectionCode(await ingestor.ingest(attackerConnection, [{ ...created(9), tenant_id: victim.id }])),
        'emission_invalid',
      );
      // A connection presented under another tenant is refused by the store, inside the transaction.
      await assert.rejects(ingestor.ingest({ ...attackerConnection, tenant_id: victim.id }, [created(9)]), {
        code: 'tenant_mismatch',
      });
      const result = await ingestor.ingest(attackerConnection, [created(9)]);
      assert.ok(result.status === 'committed');
      const envelope = await store.events.get(attacker.id, result.results[0]?.event_id ?? '');
      assert.equal(envelope?.tenant_id, attacker.id);
      assert.equal((await store.events.query(victim.id, {}, { limit: 10 })).items.length, 0);
    });

    it('stamps the platform fields', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Stamped', reseller_id: 'rsl_1' });
      const connection = await newConnection(tenant.id);
      const result = await ingestor.ingest(
        connection,
        [{ ...created(5), occurred_at: '2026-06-11T09:03:02Z', correlation_id: 'corr-5' }, created(6)],
        { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', mode: 'quiet' },
      );
      assert.ok(result.status === 'committed');
      const [a, b] = await Promise.all(result.results.map((r) => store.events.get(tenant.id, r.event_id)));
      assert.match(a?.event_id ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
      assert.equal(a?.tenant_id, tenant.id);
      assert.equal(a?.reseller_id, 'rsl_1');
      assert.equal(a?.connection_id, connection.id);
      assert.equal(a?.stream, 'order_created');
      assert.equal(a?.occurred_at, '2026-06-11T09:03:02.000Z');
      assert.equal(a?.correlation_id, 'corr-5');
      assert.ok((b?.correlation_id ?? '').length > 0);
      assert.notEqual(b?.correlation_id, 'corr-5');
      assert.equal(a?.trace_id, '4bf92f3577b34da6a3ce929d0e0e4736');
      assert.equal(a?.mode, 'quiet');
      assert.equal(a?.schema_version, '1');
      assert.equal(b?.occurred_at, null);
    });

    it('counts emissions that name no entity, and still stores them', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'NoEntity' });
      const connection = await newConnection(tenant.id);
      const warned: string[] = [];
      const counting = createIngestor({
        events: store.events,
        connectors,
        onMissingEntity: (info) => warned.push(info.event_type),
      });
      const result = await counting.ingest(connection, [{ ...created(1), payload: { total: 1 } }]);
      assert.ok(result.status === 'committed');
      assert.equal(result.results[0]?.status, 'accepted');
      assert.equal(counting.missingEntityCount, 1);
      assert.deepEqual(warned, ['order.created']);
    });
  });
}

function rejectionCode(result: IngestResult): string | null {
  return result.status === 'rejected' ? result.rejection.code : null;
}
