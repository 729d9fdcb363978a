import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUS_ADAPTERS, type TestBus } from '@sluice/bus-redis/testing';
import { type Bus, InProcessBus, type Job, type NewTrigger, type Tenant } from '@sluice/core';
import { Relay } from '@sluice/relay';
import type { StageWorkers } from './services/stage-workers.ts';
import { startTestApp, type TestApp } from './testing/index.ts';
import { testStageWorkers } from './testing/test-stage-workers.ts';

async function eventually(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const trigger = (tenant: Tenant, name: string, overrides: Partial<NewTrigger>): NewTrigger => ({
  tenant_id: tenant.id,
  name,
  event_types: ['order.*'],
  condition: null,
  priority: null,
  action: { type: 'handler', name: 'noop' },
  secret_ciphertext: null,
  enabled: true,
  ...overrides,
});

for (const adapter of ['pglite', 'postgres'] as const) {
  for (const busAdapter of BUS_ADAPTERS) {
    describe(`ingest → relay → router → jobs: ${adapter}, ${busAdapter.name} bus`, () => {
      let t: TestApp;
      let testBus: TestBus;
      let workers: StageWorkers;

      before(async () => {
        t = await startTestApp({ adapter });
        testBus = await busAdapter.open({ leaseTtlMs: 900 });
        workers = testStageWorkers(t, testBus.bus, {
          workers: ['receiver', 'relay', 'router'],
          relayIdleMs: 10,
          relayLeaseMs: 400,
        });
        await workers.start();
      });
      after(async () => {
        await workers.stop();
        await testBus.close();
        await t.close();
      });

      async function emit(
        auth: { authorization: string },
        connectionId: string,
        emissions: ReadonlyArray<Record<string, unknown>>,
      ): Promise<string[]> {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/v1/events',
          headers: { ...auth, 'content-type': 'application/json' },
          payload: { connection_id: connectionId, emissions },
        });
        assert.equal(response.statusCode, 200, response.body);
        return (response.json() as { results: Array<{ event_id: string }> }).results.map((r) => r.event_id);
      }

      async function connectionOf(auth: { authorization: string }): Promise<string> {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/v1/connections',
          headers: { ...auth, 'content-type': 'application/json' },
          payload: { connector_id: 'commerce-orders', secret: 'pipeline-secret' },
        });
        assert.equal(response.statusCode, 201, response.body);
        return (response.json() as { connection: { id: string } }).connection.id;
      }

      const order = (id: string, extra: Record<string, unknown> = {}) => ({
        source: 'shopify',
        event_type: 'order.created',
        dedupe_key: `shopify:order:${id}:created`,
        payload: { entity: { kind: 'order', id }, ...extra },
      });

      const jobsOf = async (tenantId: string): Promise<Job[]> =>
        (await t.store.jobs.list(tenantId, {}, { limit: 500 })).items as Job[];

      it('routes an emitted envelope to exactly the triggers whose condition holds, in all three forms', async () => {
        const { tenant, auth } = await t.tenant('Pipeline');
        const ast = await t.store.triggers.create(
          trigger(tenant, 'ast', {
            condition: {
              any: [
                { path: 'payload.total', op: 'gt', value: 100 },
                { path: 'payload.vip', op: 'eq', value: true },
              ],
            },
          }),
        );
        const text = await t.store.triggers.create(
          trigger(tenant, 'text', { condition: 'payload.total lt 10' }),
        );
        const sql = await t.store.triggers.create(
          trigger(tenant, 'sql', { condition: { sql: "subject = 'order:o-sql' AND type LIKE 'order.%'" } }),
        );
        const fixed = await t.store.triggers.create(trigger(tenant, 'fixed', { priority: 'P4' }));
        await t.ctx.changes.publish({ kind: 'trigger', tenant_id: tenant.id, id: fixed.id });
        await workers.router?.triggers.settled();
        const connectionId = await connectionOf(auth);
        const [big, small, bySql, none] = await emit(auth, connectionId, [
          order('o-big', { total: 500 }),
          order('o-small', { total: 5 }),
          order('o-sql', { total: 50 }),
          order('o-none', { total: 50 }),
        ]);
        const expected = [
          [big, ast.id],
          [big, fixed.id],
          [small, text.id],
          [small, fixed.id],
          [bySql, sql.id],
          [bySql, fixed.id],
          [none, fixed.id],
        ];
        await eventually('7 jobs', async () => (await jobsOf(tenant.id)).length >= 7);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const jobs = await jobsOf(tenant.id);
        assert.deepEqual(jobs.map((j) => [j.event_id, j.trigger_id]).sort(), expected.sort());
        for (const job of jobs) {
          assert.equal(
            job.priority,
            job.trigger_id === fixed.id ? 'P4' : 'P1',
            'the emit API is P1 unless set',
          );
        }
        const eventOrder = [big, small, bySql, none];
        const created = jobs.map((j) => eventOrder.indexOf(j.event_id));
        assert.deepEqual(created, [...created].sort(), 'created in event order');
        const metrics = await t.ctx.metrics.registry.getSingleMetricAsString(
          'sluice_router_jobs_created_total',
        );
        assert.match(metrics, /sluice_router_jobs_created_total \d+/);
      });

      it('dead-letters an unmatched envelope for a tenant that asks, and refuses to replay it as a delivery', async () => {
        const { tenant, auth } = await t.tenant('Unmatched');
        await t.store.tenancy.updateTenant(tenant.id, { unmatched_events: 'dead_letter' });
        await t.ctx.changes.publish({ kind: 'tenant', tenant_id: tenant.id, id: tenant.id });
        const connectionId = await connectionOf(auth);
        const [eventId] = await emit(auth, connectionId, [order('u1')]);
        let letters: Array<{ id: string; error_context: Record<string, unknown> }> = [];
        await eventually('the dead letter', async () => {
          const listed = await t.app.inject({ method: 'GET', url: '/api/v1/dead-letters', headers: auth });
          letters = (listed.json() as { items: typeof letters }).items.filter(
            (letter) => letter.error_context['stage'] === 'route',
          );
          // The platform's own connection.established matched nothing either.
          return letters.some((letter) => letter.error_context['event_id'] === eventId);
        });
        const letter = letters.find((l) => l.error_context['event_id'] === eventId);
        const replay = await t.app.inject({
          method: 'POST',
          url: `/api/v1/dead-letters/${letter?.id}/replay`,
          headers: auth,
        });
        assert.equal(replay.statusCode, 409, replay.body);
        assert.match(replay.body, /matched no trigger/);
        assert.equal((await jobsOf(tenant.id)).length, 0);
      });

      it('sends again what the bus lost before the router saw it, and creates nothing twice', async () => {
        const { tenant, auth } = await t.tenant('Lost');
        const every = await t.store.triggers.create(trigger(tenant, 'every', {}));
        await t.ctx.changes.publish({ kind: 'trigger', tenant_id: tenant.id, id: every.id });
        await workers.router?.triggers.settled();
        // A relay that claims first and publishes onto a bus that then vanishes (a crash of its process, a
        // FLUSHALL): the rows stay unacknowledged, and the running relay sends them after the lease.
        await workers.relay?.stop();
        const connectionId = await connectionOf(auth);
        const ids = await emit(auth, connectionId, [order('l1'), order('l2'), order('l3')]);
        const doomed: Bus = new InProcessBus();
        const lost = new Relay({ outbox: t.store.outbox, bus: doomed, owner: 'relay-lost', leaseMs: 400 });
        await eventually('the doomed publish', async () => (await lost.runOnce()).published >= 3);
        await doomed.close();
        workers.relay?.start();
        await eventually('3 jobs', async () => (await jobsOf(tenant.id)).length >= 3);
        // And a repeat of what was routed creates nothing: the outbox rows are acknowledged, and the router
        // is idempotent for a copy that still comes.
        const again = new Relay({
          outbox: t.store.outbox,
          bus: testBus.bus,
          owner: 'relay-again',
          leaseMs: 400,
        });
        await again.runOnce();
        await new Promise((resolve) => setTimeout(resolve, 300));
        const jobs = await jobsOf(tenant.id);
        assert.deepEqual(
          jobs.map((j) => j.event_id),
          ids,
          'each event once, in order',
        );
      });
    });
  }
}
