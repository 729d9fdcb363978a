import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUS_ADAPTERS } from '@sluice/bus-redis/testing';
import type { Connection, NewJob, Tenant } from '@sluice/core';
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
import { unmatchedDeadLetterId } from './unmatched-dead-letter.ts';

for (const storeAdapter of STORE_ADAPTERS) {
  for (const busAdapter of BUS_ADAPTERS) {
    describe(`router: unmatched, changes, failures, ${storeAdapter.name} store, ${busAdapter.name} bus`, () => {
      let h: RouterHarness;
      let createManyFailures = 0;

      before(async () => {
        h = await openRouterHarness(storeAdapter, busAdapter);
        // The real job store, refusing as many calls as a test asks (a database that is briefly away).
        await h.router({
          jobs: {
            createMany: (jobs: ReadonlyArray<NewJob>) => {
              if (createManyFailures > 0) {
                createManyFailures--;
                return Promise.reject(new Error('the job store is down (test)'));
              }
              return h.store.jobs.createMany(jobs);
            },
          },
        });
      });
      after(() => h.close());

      const setup = async (name: string): Promise<{ connection: Connection; tenant: Tenant }> => {
        const connection = await createTestConnection(h.store, name);
        const tenant = await h.store.tenancy.getTenant(connection.tenant_id);
        assert.ok(tenant !== null);
        return { connection, tenant };
      };

      it('counts and drops unmatched envelopes by default, and keeps them once as dead letters when asked', async () => {
        const dropping = await setup('Dropping');
        const keeping = await setup('Keeping');
        assert.equal(dropping.tenant.unmatched_events, 'drop');
        await h.store.tenancy.updateTenant(keeping.tenant.id, { unmatched_events: 'dead_letter' });
        await h.changes.publish({ kind: 'tenant', tenant_id: keeping.tenant.id, id: keeping.tenant.id });
        await h.store.triggers.create(newTrigger(keeping.tenant, 'refunds only', ['refund.*']));
        await h.changed(keeping.tenant.id);
        const [dropped] = await appendAll(h.store, dropping.connection, [{ n: 'u1' }]);
        const [kept] = await appendAll(h.store, keeping.connection, [{ n: 'u2' }]);
        const messages = await pendingMessages(h.store, [dropping.connection, keeping.connection], 2);
        const before = { dropped: total(h.stats, 'dropped'), kept: total(h.stats, 'deadLettered') };
        await h.bus.publish('envelopes', messages);
        await h.bus.publish('envelopes', messages);
        await eventually(
          'both routed twice',
          () =>
            total(h.stats, 'dropped') - before.dropped + total(h.stats, 'deadLettered') - before.kept >= 4,
        );
        assert.equal(total(h.stats, 'dropped') - before.dropped, 2, 'counted each time it came');
        const letters = await h.store.deadLetters.list(keeping.tenant.id, {}, { limit: 10 });
        assert.equal(letters.items.length, 1, 'one dead letter however often it came');
        const letter = letters.items[0];
        assert.equal(letter?.id, unmatchedDeadLetterId(kept ?? ''));
        assert.equal(letter?.connection_id, keeping.connection.id);
        assert.equal(letter?.connector, 'test-orders');
        assert.deepEqual(letter?.error_context, {
          stage: 'route',
          rule: 'unmatched',
          event_id: kept,
          event_type: 'order.created',
          connection_id: keeping.connection.id,
        });
        const envelope = JSON.parse(
          Buffer.from(letter?.event_payload.body_base64 ?? '', 'base64').toString(),
        );
        assert.equal(envelope.event_id, kept);
        assert.equal((await h.store.deadLetters.list(dropping.tenant.id, {}, { limit: 10 })).items.length, 0);
        assert.ok(dropped !== undefined);
        assert.equal((await jobsOf(h.store, keeping.tenant.id)).length, 0);
      });

      it('applies a trigger change within a second, without a restart', async () => {
        const { connection, tenant } = await setup('Live changes');
        await appendAll(h.store, connection, [{ n: 'c1' }]);
        assert.equal(await publishPending(h.store, h.bus, [connection], 1), 1);
        await eventually('routed with no trigger', async () =>
          (await h.store.outbox.readConnection(tenant.id, connection.id, 0, 10)).every(
            (r) => r.relayed_at !== null,
          ),
        );
        assert.equal((await jobsOf(h.store, tenant.id)).length, 0);
        const trigger = await h.store.triggers.create(newTrigger(tenant, 'new', ['order.*']));
        await h.changes.publish({ kind: 'trigger', tenant_id: tenant.id, id: trigger.id });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await appendAll(h.store, connection, [{ n: 'c2' }]);
        assert.equal(await publishPending(h.store, h.bus, [connection], 1), 1);
        await eventually(
          'a job for the envelope after the change',
          async () => (await jobsOf(h.store, tenant.id)).length === 1,
        );
        await h.store.triggers.update(tenant.id, trigger.id, { enabled: false });
        await h.changes.publish({ kind: 'trigger', tenant_id: tenant.id, id: trigger.id });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await appendAll(h.store, connection, [{ n: 'c3' }]);
        assert.equal(await publishPending(h.store, h.bus, [connection], 1), 1);
        await eventually('acknowledged', async () =>
          (await h.store.outbox.readConnection(tenant.id, connection.id, 0, 10)).every(
            (r) => r.relayed_at !== null,
          ),
        );
        assert.equal((await jobsOf(h.store, tenant.id)).length, 1, 'a disabled trigger makes no more jobs');
      });

      it('leaves a batch pending when the job store fails, and routes it once it is back', async () => {
        const { connection, tenant } = await setup('Failing');
        await h.store.triggers.create(newTrigger(tenant, 'all', ['*']));
        await h.changed(tenant.id);
        await appendAll(h.store, connection, [{ n: 'f1' }, { n: 'f2' }]);
        const failedBefore = h.errors.length;
        createManyFailures = 2;
        assert.equal(await publishPending(h.store, h.bus, [connection], 2), 2);
        await eventually(
          '2 jobs after the failures',
          async () => (await jobsOf(h.store, tenant.id)).length === 2,
        );
        assert.ok(h.errors.length >= failedBefore + 2, 'each failure reported');
        const rows = await h.store.outbox.readConnection(tenant.id, connection.id, 0, 10);
        const jobs = await jobsOf(h.store, tenant.id);
        assert.deepEqual(
          jobs.map((j) => j.event_id),
          rows.map((r) => r.event_id),
          'in event order',
        );
      });
    });
  }
}
