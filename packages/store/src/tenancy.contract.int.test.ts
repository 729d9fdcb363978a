import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newEventId, type Stores } from '@sluice/core';
import { MIGRATIONS } from './migrations.ts';
import { migrate } from './migrator.ts';
import { createTestConnection, STORE_ADAPTERS, type TestDatabase } from './testing/index.ts';

for (const adapter of STORE_ADAPTERS) {
  describe(`tenancy contract: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;

    before(async () => {
      db = await adapter.open();
      store = db.store();
      await store.maintenance.migrate();
    });
    after(() => db.drop());

    it('creates a tenant that drops unmatched events, and changes its settings', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Settings' });
      const other = await store.tenancy.createTenant({ name: 'Bystander' });
      assert.equal(tenant.unmatched_events, 'drop');
      const kept = await store.tenancy.updateTenant(tenant.id, { unmatched_events: 'dead_letter' });
      assert.deepEqual(kept, { ...tenant, unmatched_events: 'dead_letter' });
      const renamed = await store.tenancy.updateTenant(tenant.id, { name: 'Renamed' });
      assert.deepEqual(renamed, { ...tenant, name: 'Renamed', unmatched_events: 'dead_letter' });
      assert.deepEqual(await store.tenancy.getTenant(tenant.id), renamed);
      assert.deepEqual(await store.tenancy.updateTenant(tenant.id, {}), renamed);
      assert.equal(
        (await store.tenancy.listTenants()).find((t) => t.id === tenant.id)?.unmatched_events,
        'dead_letter',
      );
      assert.deepEqual(await store.tenancy.getTenant(other.id), other, 'only the named tenant changes');
      assert.equal(await store.tenancy.updateTenant('ten_missing', { name: 'x' }), null);
    });

    it('refuses a setting the schema does not know', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Strict' });
      await assert.rejects(
        store.tenancy.updateTenant(tenant.id, {
          unmatched_events: 'keep' as unknown as 'drop',
        }),
      );
      assert.equal((await store.tenancy.getTenant(tenant.id))?.unmatched_events, 'drop');
    });

    it('upgrades a database of 0006 with its data: tenants drop, outbox rows came by webhook', async () => {
      const fresh = await adapter.open();
      try {
        const upTo = MIGRATIONS.findIndex((m) => m.id === '0006_commit_positions') + 1;
        await migrate(fresh.client, MIGRATIONS.slice(0, upTo));
        const old = fresh.store();
        const connection = await createTestConnection(old, 'Before');
        const eventId = newEventId();
        await fresh.client.query(
          `INSERT INTO envelopes (event_id, tenant_id, connection_id, sequence, source, event_type, stream,
             dedupe_key, correlation_id, trace_id, received_at, mode, schema_version, payload)
           VALUES ($1, $2, $3, 1, 'shop', 'order.created', 'orders', 'k1', 'c1',
             '0af7651916cd43dd8448eb211c80319c', now(), 'live', '1', '{}'::jsonb)`,
          [eventId, connection.tenant_id, connection.id],
        );
        await fresh.client.query(
          'INSERT INTO outbox (event_id, tenant_id, connection_id, sequence) VALUES ($1, $2, $3, 1)',
          [eventId, connection.tenant_id, connection.id],
        );
        const { applied } = await migrate(fresh.client);
        assert.deepEqual(
          applied,
          MIGRATIONS.slice(upTo).map((m) => m.id),
        );
        assert.equal((await old.tenancy.getTenant(connection.tenant_id))?.unmatched_events, 'drop');
        const [row] = await old.outbox.readConnection(connection.tenant_id, connection.id, 0, 10);
        assert.equal(row?.event_id, eventId);
        assert.equal(row?.origin, 'webhook');
        const trigger = await old.triggers.create({
          tenant_id: connection.tenant_id,
          name: 'after upgrade',
          event_types: ['*'],
          condition: null,
          priority: null,
          action: { type: 'handler', name: 'audit' },
          secret_ciphertext: null,
          enabled: true,
        });
        assert.equal(
          await old.jobs.createMany([
            {
              tenant_id: connection.tenant_id,
              trigger_id: trigger.id,
              event_id: eventId,
              connection_id: connection.id,
              priority: 'P2',
              entity_key: null,
              position: row?.position ?? '',
            },
          ]),
          1,
        );
      } finally {
        await fresh.drop();
      }
    });
  });
}
