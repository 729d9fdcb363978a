import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NewStreamSchedule, Stores, StreamRunCompletion } from '@sluice/core';
import { STORE_ADAPTERS, type TestDatabase } from './testing/index.ts';

const T0 = new Date('2030-03-01T10:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

function stream(tenant: string, connection: string, key: string, next: Date): NewStreamSchedule {
  return {
    tenant_id: tenant,
    connection_id: connection,
    stream: key,
    connector_id: 'stripe',
    schedule: '*/5 * * * *',
    timezone: 'UTC',
    settings: { min_interval_ms: 60_000, max_interval_ms: 3_600_000 },
    next_run_at: next,
  };
}

function ran(next: Date, overrides: Partial<StreamRunCompletion> = {}): StreamRunCompletion {
  return {
    status: 'ok',
    next_run_at: next,
    interval_ms: 300_000,
    interval_reason: 'cron schedule',
    ran_at: T0,
    succeeded: true,
    error: null,
    rate_limited_until: null,
    records: 3,
    envelopes: 2,
    history: { '34': { polls: 1, changed: 1 } },
    ...overrides,
  };
}

for (const adapter of STORE_ADAPTERS) {
  describe(`schedule store contract: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;

    before(async () => {
      db = await adapter.open();
      store = db.store({ now: () => T0 });
      await store.maintenance.migrate();
    });
    after(() => db.drop());

    it('claims due streams once, earliest first, and never gives a held stream to another owner', async () => {
      await store.schedules.upsertStreams([
        stream('ten_a', 'con_1', 'customers', at(-2_000)),
        stream('ten_a', 'con_1', 'invoices', at(-1_000)),
        stream('ten_b', 'con_2', 'customers', at(60_000)),
      ]);
      const first = await store.schedules.claimDue('one', T0, 10, 30_000);
      assert.deepEqual(
        first.map((s) => s.stream),
        ['customers', 'invoices'],
      );
      assert.equal(first[0]?.lease_owner, 'one');
      assert.deepEqual(await store.schedules.claimDue('two', at(1_000), 10, 30_000), []);
      assert.equal((await store.schedules.nextDueAt())?.toISOString(), at(30_000).toISOString());
    });

    it('completes a run only for the lease holder, and counts records and envelopes', async () => {
      const ref = { tenant_id: 'ten_a', connection_id: 'con_1', stream: 'customers' };
      assert.equal(await store.schedules.complete('two', ref, ran(at(300_000))), null);
      const done = await store.schedules.complete('one', ref, ran(at(300_000)));
      assert.equal(done?.lease_owner, null);
      assert.equal(done?.next_run_at, at(300_000).toISOString());
      assert.equal(done?.last_success_at, T0.toISOString());
      assert.equal(done?.records, 3);
      assert.equal(done?.envelopes, 2);
      assert.deepEqual(done?.history, { '34': { polls: 1, changed: 1 } });
    });

    it('reclaims a lapsed lease for another owner', async () => {
      const claimed = await store.schedules.claimDue('two', at(31_000), 10, 30_000);
      assert.deepEqual(
        claimed.map((s) => [s.stream, s.lease_owner]),
        [['invoices', 'two']],
      );
      const ref = { tenant_id: 'ten_a', connection_id: 'con_1', stream: 'invoices' };
      assert.equal(await store.schedules.complete('one', ref, ran(at(300_000))), null);
      const failed = await store.schedules.complete(
        'two',
        ref,
        ran(at(120_000), {
          status: 'rate_limited',
          succeeded: false,
          error: 'HTTP 429',
          rate_limited_until: at(120_000),
        }),
      );
      assert.equal(failed?.status, 'rate_limited');
      assert.equal(failed?.rate_limited_until, at(120_000).toISOString());
      assert.equal(failed?.last_error, 'HTTP 429');
    });

    it('renews a lease only for its holder: a held stream stays held past its first term', async () => {
      await store.schedules.upsertStreams([stream('ten_r', 'con_r', 'customers', at(-1_000))]);
      const ref = { tenant_id: 'ten_r', connection_id: 'con_r', stream: 'customers' };
      assert.equal((await store.schedules.claimDue('one', T0, 10, 10_000)).length, 1);
      assert.equal(await store.schedules.renewLease('one', ref, at(8_000), 10_000), true);
      assert.equal(await store.schedules.renewLease('two', ref, at(8_000), 10_000), false);
      // Past the first term (10 s) but within the renewed one (18 s): still held.
      assert.deepEqual(
        (await store.schedules.claimDue('two', at(15_000), 10, 10_000)).filter(
          (s) => s.tenant_id === 'ten_r',
        ),
        [],
      );
      const taken = await store.schedules.claimDue('two', at(19_000), 10, 10_000);
      assert.deepEqual(
        taken.filter((s) => s.tenant_id === 'ten_r').map((s) => s.lease_owner),
        ['two'],
      );
      // The lapsed holder's heartbeat finds the stream gone to another and writes nothing.
      assert.equal(await store.schedules.renewLease('one', ref, at(19_500), 10_000), false);
      assert.equal((await store.schedules.get(ref))?.lease_until, at(29_000).toISOString());
      assert.equal(await store.schedules.removeConnection('ten_r', 'con_r'), 1);
    });

    it('pauses, resumes and runs now; lists by tenant, connection and status', async () => {
      const ref = { tenant_id: 'ten_b', connection_id: 'con_2', stream: 'customers' };
      const paused = await store.schedules.setPaused(ref, true, T0);
      assert.equal(paused?.previous, 'ok');
      assert.equal(paused?.stream.status, 'paused');
      await store.schedules.runNow(ref, T0);
      assert.deepEqual(await store.schedules.claimDue('one', at(100_000), 10, 1_000), []);
      assert.deepEqual(
        (await store.schedules.list('ten_b', { status: 'paused' })).map((s) => s.stream),
        ['customers'],
      );
      const resumed = await store.schedules.setPaused(ref, false, T0);
      assert.equal(resumed?.stream.status, 'ok');
      assert.equal(resumed?.stream.next_run_at, T0.toISOString());
      assert.equal((await store.schedules.list('ten_a', { connection_id: 'con_2' })).length, 0);
      assert.equal(await store.schedules.setPaused({ ...ref, tenant_id: 'ten_a' }, true, T0), null);
      assert.equal(await store.schedules.removeConnection('ten_b', 'con_2'), 1);
    });

    it('two owners claiming at once never share a stream', async () => {
      const many = Array.from({ length: 200 }, (_, i) =>
        stream('ten_c', `con_${i % 20}`, `s_${i}`, at(-5_000)),
      );
      await store.schedules.upsertStreams(many);
      const other = db.store();
      const [a, b] = await Promise.all([
        store.schedules.claimDue('a', T0, 150, 60_000),
        other.schedules.claimDue('b', T0, 150, 60_000),
      ]);
      const keys = [...a, ...b].filter((s) => s.tenant_id === 'ten_c').map((s) => s.stream);
      assert.equal(new Set(keys).size, keys.length);
      assert.equal(keys.length, 200);
    });

    it('keeps cron schedules per tenant and claims due slots once', async () => {
      const created = await store.cronSchedules.create({
        tenant_id: 'ten_a',
        name: 'nightly',
        schedule: '0 2 * * *',
        timezone: 'Europe/Berlin',
        next_slot_at: at(-1),
      });
      assert.match(created.id, /^sch_/);
      assert.equal((await store.cronSchedules.list('ten_a')).length, 1);
      assert.equal(await store.cronSchedules.get('ten_b', created.id), null);
      const [claimed] = await store.cronSchedules.claimDue('one', T0, 10, 30_000);
      assert.equal(claimed?.id, created.id);
      assert.deepEqual(await store.cronSchedules.claimDue('two', T0, 10, 30_000), []);
      assert.equal(await store.cronSchedules.complete('two', created.id, at(-1), at(86_400_000)), false);
      assert.equal(await store.cronSchedules.complete('one', created.id, at(-1), at(86_400_000)), true);
      assert.equal((await store.cronSchedules.get('ten_a', created.id))?.last_slot_at, at(-1).toISOString());
      // Renewal: only the holder's leases, and answers which it still held.
      const second = await store.cronSchedules.create({
        tenant_id: 'ten_a',
        name: 'hourly',
        schedule: '0 * * * *',
        timezone: 'UTC',
        next_slot_at: at(-1),
      });
      assert.equal((await store.cronSchedules.claimDue('one', T0, 10, 10_000)).length, 1);
      assert.deepEqual(await store.cronSchedules.renewLeases('two', [second.id], at(8_000), 10_000), []);
      assert.deepEqual(
        await store.cronSchedules.renewLeases('one', [second.id, created.id], at(8_000), 10_000),
        [second.id],
      );
      assert.deepEqual(await store.cronSchedules.claimDue('two', at(15_000), 10, 10_000), []);
      assert.equal((await store.cronSchedules.claimDue('two', at(19_000), 10, 10_000))[0]?.id, second.id);
      assert.deepEqual(await store.cronSchedules.renewLeases('one', [second.id], at(19_500), 10_000), []);
      assert.equal(await store.cronSchedules.delete('ten_a', second.id), true);
      assert.equal(await store.cronSchedules.delete('ten_b', created.id), false);
      assert.equal(await store.cronSchedules.delete('ten_a', created.id), true);
    });
  });
}
