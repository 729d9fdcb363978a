import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Job, type JobFilter, type NewJob, newEventId, type Stores, type Tenant } from '@sluice/core';
import { STORE_ADAPTERS, type TestDatabase } from './testing/index.ts';

/** A job of `tenant` for one event and trigger; its position sorts by `n`. */
function newJob(tenant: Pick<Tenant, 'id'>, eventId: string, triggerId: string, n: number): NewJob {
  return {
    tenant_id: tenant.id,
    trigger_id: triggerId,
    event_id: eventId,
    connection_id: 'con_jobs',
    priority: 'P2',
    entity_key: `order:${n}`,
    position: `${1000 + n}.${n}`,
  };
}

/** Every page of a listing, following `next`. */
async function allPages(
  store: Stores,
  tenantId: string,
  filter: JobFilter,
  limit: number,
  order: 'asc' | 'desc' = 'asc',
): Promise<Job[]> {
  const seen: Job[] = [];
  let after: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await store.jobs.list(tenantId, filter, {
      limit,
      order,
      ...(after === undefined ? {} : { after }),
    });
    assert.ok(page.items.length <= limit);
    seen.push(...page.items);
    if (page.next === null) return seen;
    after = page.next;
  }
  throw new Error('the listing never ended');
}

const keyOf = (job: Pick<Job, 'event_id' | 'trigger_id'>): string => `${job.event_id}/${job.trigger_id}`;

for (const adapter of STORE_ADAPTERS) {
  describe(`job store contract: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    const now = new Date('2030-04-01T08:00:00.000Z');
    let stranger: Tenant;

    before(async () => {
      db = await adapter.open();
      store = db.store({ now: () => now });
      await store.maintenance.migrate();
      stranger = await store.tenancy.createTenant({ name: 'Stranger' });
    });
    after(() => db.drop());

    it('creates jobs in the order given and reads them back as queued, with no attempts yet', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Order' });
      // Event ids minted in one order, given in the reverse: creation order is the order given.
      const events = Array.from({ length: 6 }, () => newEventId());
      const given = [...events].reverse().map((id, i) => newJob(tenant, id, i % 2 ? 'trg_b' : 'trg_a', i));
      given.push({
        ...newJob(tenant, newEventId(), 'trg_a', 99),
        priority: 'P4',
        entity_key: null,
        position: '18446744073709551615.9223372036854775807',
      });
      assert.equal(await store.jobs.createMany(given), given.length);
      const listed = await allPages(store, tenant.id, {}, 100);
      assert.deepEqual(listed.map(keyOf), given.map(keyOf));
      const [first] = listed;
      assert.ok(first !== undefined);
      assert.match(first.id, /^job_/);
      assert.deepEqual(first, {
        id: first.id,
        tenant_id: tenant.id,
        trigger_id: 'trg_a',
        event_id: events[5],
        connection_id: 'con_jobs',
        priority: 'P2',
        entity_key: 'order:0',
        position: '1000.0',
        status: 'queued',
        idempotency_key: `trg_a:${events[5]}`,
        created_at: now.toISOString(),
        attempts: [],
      });
      const last = listed.at(-1);
      assert.equal(last?.priority, 'P4');
      assert.equal(last?.entity_key, null);
      assert.equal(last?.position, '18446744073709551615.9223372036854775807');
      assert.deepEqual(await store.jobs.get(tenant.id, first.id), first);
      assert.equal(await store.jobs.createMany([]), 0);
    });

    it('creates one job per (event, trigger), repeated in one call or in a later one', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Idempotent' });
      const [e1, e2, e3] = [newEventId(), newEventId(), newEventId()] as [string, string, string];
      const once = newJob(tenant, e1, 'trg_a', 1);
      assert.equal(
        await store.jobs.createMany([once, { ...once, priority: 'P1' }, newJob(tenant, e1, 'trg_b', 2)]),
        2,
      );
      assert.equal(
        await store.jobs.createMany([
          newJob(tenant, e2, 'trg_a', 3),
          once,
          newJob(tenant, e1, 'trg_b', 2),
          newJob(tenant, e3, 'trg_a', 4),
        ]),
        2,
      );
      assert.equal(await store.jobs.createMany([once]), 0, 'a redelivered event creates nothing');
      const listed = await allPages(store, tenant.id, {}, 100);
      assert.deepEqual(listed.map(keyOf), [`${e1}/trg_a`, `${e1}/trg_b`, `${e2}/trg_a`, `${e3}/trg_a`]);
      assert.equal(listed[0]?.priority, 'P2', 'the first of a repeat wins');
    });

    it('creates each job exactly once when several routers create overlapping jobs at once', async () => {
      for (let round = 0; round < 5; round++) {
        const tenant = await store.tenancy.createTenant({ name: `Concurrent ${round}` });
        const events = Array.from({ length: 20 }, () => newEventId());
        const all = events.flatMap((id, i) => ['trg_x', 'trg_y'].map((t) => newJob(tenant, id, t, i)));
        // Eight callers, each with an overlapping slice, half of them in reverse order.
        const calls = Array.from({ length: 8 }, (_, c) => {
          const slice = all.slice(c * 4, c * 4 + 16);
          return c % 2 === 0 ? slice : [...slice].reverse();
        });
        const stores = calls.map(() => db.store({ now: () => now }));
        const counts = await Promise.all(calls.map((jobs, c) => (stores[c] as Stores).jobs.createMany(jobs)));
        const expected = new Set(calls.flat().map((j) => keyOf(j)));
        assert.equal(
          counts.reduce((a, b) => a + b, 0),
          expected.size,
        );
        const listed = await allPages(store, tenant.id, {}, 7);
        assert.equal(listed.length, expected.size);
        assert.deepEqual(new Set(listed.map(keyOf)), expected);
        assert.equal(new Set(listed.map((j) => j.id)).size, listed.length);
      }
    });

    it('lists by trigger, event and status, a page at a time both ways', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Filters' });
      const events = Array.from({ length: 4 }, () => newEventId());
      const given = events.flatMap((id, i) => ['trg_1', 'trg_2'].map((t) => newJob(tenant, id, t, i)));
      await store.jobs.createMany(given);
      await store.jobs.createMany([newJob(stranger, events[0] as string, 'trg_1', 0)]);
      const keys = given.map(keyOf);
      for (const limit of [1, 3, 8, 20]) {
        assert.deepEqual((await allPages(store, tenant.id, {}, limit)).map(keyOf), keys);
        assert.deepEqual(
          (await allPages(store, tenant.id, {}, limit, 'desc')).map(keyOf),
          [...keys].reverse(),
        );
      }
      assert.deepEqual(
        (await allPages(store, tenant.id, { trigger_id: 'trg_2' }, 3)).map(keyOf),
        events.map((id) => `${id}/trg_2`),
      );
      assert.deepEqual((await allPages(store, tenant.id, { event_id: events[2] as string }, 1)).map(keyOf), [
        `${events[2]}/trg_1`,
        `${events[2]}/trg_2`,
      ]);
      const listed = await allPages(store, tenant.id, {}, 100);
      const running = listed[3] as Job;
      await db.client.query(`UPDATE jobs SET status = 'running' WHERE id = $1`, [running.id]);
      assert.deepEqual(
        (await allPages(store, tenant.id, { status: 'running' }, 5)).map((j) => j.id),
        [running.id],
      );
      assert.equal((await allPages(store, tenant.id, { status: 'queued' }, 5)).length, listed.length - 1);
      assert.deepEqual(
        (await allPages(store, tenant.id, { trigger_id: 'trg_1', event_id: events[0] as string }, 5)).map(
          keyOf,
        ),
        [`${events[0]}/trg_1`],
      );
      assert.deepEqual(await allPages(store, tenant.id, { event_id: 'not-a-uuid' }, 5), []);
      await assert.rejects(store.jobs.list(tenant.id, {}, { limit: 5, after: 'job_missing' }), {
        code: 'invalid_cursor',
      });
    });

    it('reads a job’s attempts in order', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Attempts' });
      await store.jobs.createMany([newJob(tenant, newEventId(), 'trg_a', 1)]);
      const [job] = (await store.jobs.list(tenant.id, {}, { limit: 1 })).items;
      assert.ok(job !== undefined);
      await db.client.query(
        `INSERT INTO job_attempts (job_id, tenant_id, n, started_at, status_code, latency_ms, error)
         VALUES ($1, $2, 2, '2030-04-01T08:01:00Z', 200, 12, NULL),
                ($1, $2, 1, '2030-04-01T08:00:30Z', NULL, NULL, 'connection refused')`,
        [job.id, tenant.id],
      );
      assert.deepEqual((await store.jobs.get(tenant.id, job.id))?.attempts, [
        {
          started_at: '2030-04-01T08:00:30.000Z',
          status_code: null,
          latency_ms: null,
          error: 'connection refused',
        },
        { started_at: '2030-04-01T08:01:00.000Z', status_code: 200, latency_ms: 12, error: null },
      ]);
      assert.equal((await store.jobs.list(tenant.id, {}, { limit: 1 })).items[0]?.attempts.length, 2);
    });

    it('shows a tenant none of another tenant’s jobs', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Owner' });
      const eventId = newEventId();
      await store.jobs.createMany([newJob(tenant, eventId, 'trg_a', 1)]);
      const [job] = (await store.jobs.list(tenant.id, {}, { limit: 1 })).items;
      assert.ok(job !== undefined);
      assert.equal(await store.jobs.get(stranger.id, job.id), null);
      assert.deepEqual(await allPages(store, stranger.id, { event_id: eventId }, 5), []);
      await assert.rejects(store.jobs.list(stranger.id, {}, { limit: 5, after: job.id }), {
        code: 'invalid_cursor',
      });
    });
  });
}
