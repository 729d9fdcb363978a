import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUS_ADAPTERS } from '@sluice/bus-redis/testing';
import { busMessageOf, type Connection, ORIGINS } from '@sluice/core';
import { createTestConnection, STORE_ADAPTERS } from '@sluice/store/testing';
import {
  appendAll,
  eventually,
  jobsOf,
  newTrigger,
  pendingMessages,
  publishPending,
} from './testing/router-fixtures.ts';
import { openRouterHarness, type RouterHarness, total } from './testing/router-harness.ts';

for (const storeAdapter of STORE_ADAPTERS) {
  for (const busAdapter of BUS_ADAPTERS) {
    describe(`router: matching, ${storeAdapter.name} store, ${busAdapter.name} bus`, () => {
      let h: RouterHarness;

      before(async () => {
        h = await openRouterHarness(storeAdapter, busAdapter);
      });
      after(() => h.close());

      const tenantOf = async (connection: Connection) => {
        const tenant = await h.store.tenancy.getTenant(connection.tenant_id);
        assert.ok(tenant !== null);
        return tenant;
      };

      it('makes one job per matching trigger, AST and text conditions alike, and none for the others', async () => {
        const connection = await createTestConnection(h.store, 'Matching');
        const tenant = await tenantOf(connection);
        const stranger = await createTestConnection(h.store, 'Stranger');
        const t = h.store.triggers;
        const all = await t.create(newTrigger(tenant, 'all orders', ['order.*']));
        const ast = await t.create(
          newTrigger(tenant, 'big (AST)', ['order.created'], {
            condition: {
              all: [
                { path: 'payload.total', op: 'gt', value: 100 },
                { not: { path: 'payload.region', op: 'eq', value: 'eu' } },
              ],
            },
          }),
        );
        const text = await t.create(
          newTrigger(tenant, 'eu (text)', ['*.created'], {
            condition: 'payload.region eq "eu" and payload.total gt 10',
          }),
        );
        await t.create(newTrigger(tenant, 'refunds', ['refund.*']));
        await t.create(newTrigger(tenant, 'disabled', ['order.*'], { enabled: false }));
        await t.create(newTrigger(await tenantOf(stranger), 'other tenant', ['*']));
        await t.create(newTrigger(tenant, 'broken text', ['order.*'], { condition: 'payload.total gt' }));
        await h.router();
        assert.equal(h.rejected.length, 1, 'a condition that does not parse is left out, and said so');
        const [small, big, euSmall] = await appendAll(h.store, connection, [
          { n: 'm1', payload: { entity: { kind: 'order', id: 'm1' }, total: 5, region: 'us' } },
          { n: 'm2', payload: { entity: { kind: 'order', id: 'm2' }, total: 500, region: 'us' } },
          { n: 'm3', payload: { entity: { kind: 'order', id: 'm3' }, total: 50, region: 'eu' } },
        ]);
        assert.equal(await publishPending(h.store, h.bus, [connection], 3), 3);
        const expected = [
          [small, all.id],
          [big, all.id],
          [big, ast.id],
          [euSmall, all.id],
          [euSmall, text.id],
        ].sort();
        await eventually('5 jobs', async () => (await jobsOf(h.store, tenant.id)).length >= 5);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const jobs = await jobsOf(h.store, tenant.id);
        assert.deepEqual(jobs.map((j) => [j.event_id, j.trigger_id]).sort(), expected);
        const rows = await h.store.outbox.readConnection(tenant.id, connection.id, 0, 10);
        for (const job of jobs) {
          const row = rows.find((r) => r.event_id === job.event_id);
          assert.equal(job.tenant_id, tenant.id);
          assert.equal(job.connection_id, connection.id);
          assert.equal(job.position, row?.position, 'the position of its event');
          assert.equal(job.entity_key, `order:m${rows.indexOf(row as (typeof rows)[number]) + 1}`);
          assert.equal(job.priority, 'P2', 'webhook origin by default');
          assert.equal(job.status, 'queued');
        }
        assert.deepEqual(
          jobs.map((j) => rows.findIndex((r) => r.event_id === j.event_id)),
          [0, 1, 1, 2, 2],
          'created in event order',
        );
        assert.deepEqual(
          (await jobsOf(h.store, stranger.tenant_id)).length,
          0,
          'another tenant sees nothing',
        );
        await eventually('acknowledged', async () =>
          (await h.store.outbox.readConnection(tenant.id, connection.id, 0, 10)).every(
            (r) => r.relayed_at !== null,
          ),
        );
      });

      it('takes the priority from the origin, unless the trigger sets one', async () => {
        const connection = await createTestConnection(h.store, 'Priorities');
        const tenant = await tenantOf(connection);
        const byOrigin = await h.store.triggers.create(newTrigger(tenant, 'default', ['order.created']));
        const fixed = await h.store.triggers.create(
          newTrigger(tenant, 'fixed', ['order.created'], {
            priority: 'P3',
            idempotency_key: 'fixed:{entity_key}',
          }),
        );
        await h.changed(tenant.id);
        const ids = await appendAll(
          h.store,
          connection,
          ORIGINS.map((origin, i) => ({ n: `p${i}`, origin })),
        );
        assert.equal(await publishPending(h.store, h.bus, [connection], ORIGINS.length), ORIGINS.length);
        await eventually('8 jobs', async () => (await jobsOf(h.store, tenant.id)).length >= 8);
        const jobs = await jobsOf(h.store, tenant.id);
        const priorityOf = (eventId: string | undefined, triggerId: string) =>
          jobs.find((j) => j.event_id === eventId && j.trigger_id === triggerId)?.priority;
        assert.deepEqual(
          ids.map((id) => priorityOf(id, byOrigin.id)),
          ['P1', 'P2', 'P3', 'P4'],
          'user, webhook, schedule, poll',
        );
        assert.deepEqual(
          ids.map((id) => priorityOf(id, fixed.id)),
          ['P3', 'P3', 'P3', 'P3'],
        );
        assert.deepEqual(
          jobs.filter((j) => j.trigger_id === fixed.id).map((j) => j.idempotency_key),
          ORIGINS.map((_, i) => `fixed:order:p${i}`),
          'the key template of the trigger, rendered per event',
        );
        assert.equal(
          jobs.find((j) => j.trigger_id === byOrigin.id)?.idempotency_key,
          `${byOrigin.id}:${ids[0]}`,
          'the default key',
        );
      });

      it('creates nothing twice however often an envelope is delivered, and nothing for quiet ones', async () => {
        const connection = await createTestConnection(h.store, 'Redelivery');
        const tenant = await tenantOf(connection);
        await h.store.triggers.create(newTrigger(tenant, 'every', ['*']));
        // A second router joins the group (another process), and both hear of the new trigger.
        await h.router();
        await h.changed(tenant.id);
        await appendAll(h.store, connection, [{ n: 'r1' }, { n: 'r2' }]);
        const messages = await pendingMessages(h.store, [connection], 2);
        for (let i = 0; i < 3; i++) await h.bus.publish('envelopes', messages);
        const [claimed] = await h.store.outbox.readConnection(tenant.id, connection.id, 0, 1);
        const envelope = await h.store.events.get(tenant.id, claimed?.event_id ?? '');
        assert.ok(envelope !== null);
        const quiet = {
          ...envelope,
          event_id: '0190a0b0-0000-7000-8000-0000000000aa',
          mode: 'quiet' as const,
        };
        await h.bus.publish('envelopes', [busMessageOf(quiet, { origin: 'poll', position: '1.1' })]);
        await eventually('2 jobs', async () => (await jobsOf(h.store, tenant.id)).length >= 2);
        await eventually('the quiet one handled', () => total(h.stats, 'quiet') >= 1);
        await eventually(
          'all 6 deliveries routed',
          () => total(h.stats, 'acknowledged') >= 2 && h.stats.length > 0,
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        const jobs = await jobsOf(h.store, tenant.id);
        assert.equal(jobs.length, 2);
        assert.equal(new Set(jobs.map((j) => j.event_id)).size, 2);
      });
    });
  }
}
