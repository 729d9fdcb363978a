import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CronTick, Stores, StreamSchedule } from '@sluice/core';
import { STORE_ADAPTERS, type TestDatabase } from '@sluice/store/testing';
import { CronTicker } from './cron-ticker.ts';
import { Scheduler } from './scheduler.ts';
import type { PollPassResult, StreamRunner } from './stream-runner.ts';

const postgres = STORE_ADAPTERS.find((a) => a.name === 'postgres');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The lease of these tests: short, so that a dead holder's lapse is seen quickly. */
/** A `customers` stream due now, polled every second. */
const dueStream = (tenant_id: string, connection_id: string) => ({
  tenant_id,
  connection_id,
  stream: 'customers',
  connector_id: 'test',
  schedule: '* * * * * *',
  timezone: 'UTC',
  settings: {},
  next_run_at: new Date(),
});

const LEASE_MS = 1_500;
/** The other scheduler's longest sleep between claims. */
const MAX_SLEEP_MS = 200;

const done: PollPassResult = {
  status: 'completed',
  pages: 1,
  records: 0,
  emitted: 0,
  duplicates: 0,
  changes: { created: 0, updated: 0, deleted: 0 },
};

/**
 * A store as a process that can be killed sees it: after `kill()` nothing it asks reaches the database or
 * returns, as with a process gone at `kill -9` (its heartbeats stop, its `complete` never comes).
 */
function mortal<T extends object>(store: T): { store: T; kill(): void } {
  let dead = false;
  const proxy = new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        dead ? new Promise(() => {}) : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return {
    store: proxy,
    kill: () => {
      dead = true;
    },
  };
}

/** Resolves with the ms it took for `check` to hold, or rejects after `ms`. */
async function within(ms: number, check: () => boolean): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await sleep(20);
  }
  return Date.now() - start;
}

describe(
  'scheduler leases: short, renewed while a run is under way',
  { skip: postgres === undefined },
  () => {
    let db: TestDatabase;
    let stores: [Stores, Stores];

    before(async () => {
      db = await (postgres ?? STORE_ADAPTERS[0])!.open();
      stores = [db.store(), db.store()];
      await stores[0].maintenance.migrate();
    });
    after(() => db.drop());

    it('a cron slot whose ticker dies between claim and complete is ticked by another within one lease', async () => {
      const schedule = await stores[0].cronSchedules.create({
        tenant_id: 'ten_cron',
        name: 'every second',
        schedule: '* * * * * *',
        timezone: 'UTC',
        next_slot_at: new Date(),
      });
      // The first ticker claims the slot and hangs in its emit (a slow ingest), its heartbeat running.
      const dying = mortal(stores[0].cronSchedules);
      let claimedBy: 'a' | null = null;
      const a = new CronTicker({
        store: dying.store,
        leaseMs: LEASE_MS,
        maxSleepMs: MAX_SLEEP_MS,
        emit: async () => {
          claimedBy = 'a';
          await new Promise(() => {});
        },
      });
      const ticks: CronTick[] = [];
      const b = new CronTicker({
        store: stores[1].cronSchedules,
        leaseMs: LEASE_MS,
        maxSleepMs: MAX_SLEEP_MS,
        emit: async (_, tick) => {
          ticks.push(tick);
        },
      });
      a.start();
      await within(5_000, () => claimedBy === 'a');
      b.start();
      try {
        // Alive, the first holds the slot past its lease: three terms, and the second never ticks it.
        await sleep(3 * LEASE_MS);
        assert.deepEqual(ticks, []);
        dying.kill();
        const killedAt = Date.now();
        // Dead, it stops renewing: the lease lapses within one term of its last heartbeat, and the next
        // round of the second ticker (its sleep ends at the lapse) takes the slot.
        await within(LEASE_MS + MAX_SLEEP_MS + 1_000, () => ticks.length > 0);
        const retakenMs = Date.now() - killedAt;
        assert.ok(retakenMs <= LEASE_MS + MAX_SLEEP_MS + 1_000, `retaken after ${retakenMs} ms`);
        assert.equal((ticks[0] as CronTick | undefined)?.schedule_id, schedule.id);
      } finally {
        await b.stop();
      }
    });

    it('a stream whose scheduler dies mid-run is run by another within one lease', async () => {
      await stores[0].schedules.upsertStreams([dueStream('ten_poll', 'con_poll')]);
      const dying = mortal(stores[0].schedules);
      let started = false;
      const hanging: StreamRunner = {
        async run() {
          started = true;
          return new Promise(() => {});
        },
      };
      const runs: StreamSchedule[] = [];
      const quick: StreamRunner = {
        async run(stream) {
          runs.push(stream);
          return done;
        },
      };
      const common = { leaseMs: LEASE_MS, maxSleepMs: MAX_SLEEP_MS };
      const a = new Scheduler({ ...common, store: dying.store, runner: hanging });
      const b = new Scheduler({ ...common, store: stores[1].schedules, runner: quick });
      a.start();
      await within(5_000, () => started);
      b.start();
      try {
        await sleep(3 * LEASE_MS);
        assert.deepEqual(runs, [], 'a live run keeps its stream past the first term of its lease');
        dying.kill();
        const killedAt = Date.now();
        await within(LEASE_MS + MAX_SLEEP_MS + 1_000, () => runs.length > 0);
        assert.ok(Date.now() - killedAt <= LEASE_MS + MAX_SLEEP_MS + 1_000);
        assert.equal((runs[0] as StreamSchedule | undefined)?.stream, 'customers');
      } finally {
        await b.stop();
      }
    });

    it('a run whose lease went to another is aborted at its next heartbeat', async () => {
      await stores[0].schedules.upsertStreams([dueStream('ten_lost', 'con_lost')]);
      let aborted: number | null = null;
      let running = false;
      const runner: StreamRunner = {
        run: (stream, _, signal) =>
          new Promise((resolve) => {
            if (stream.tenant_id !== 'ten_lost') return resolve(done);
            running = true;
            signal.addEventListener('abort', () => {
              aborted = Date.now();
              resolve({ ...done, status: 'aborted' });
            });
          }),
      };
      const a = new Scheduler({ store: stores[0].schedules, runner, leaseMs: LEASE_MS, maxSleepMs: 200 });
      a.start();
      try {
        await within(5_000, () => running);
        // Another scheduler took the stream (its lease had lapsed while, say, the database was unreachable).
        await db
          .store()
          .schedules.claimDue('other', new Date(Date.now() + 3_600_000), 100, 3_600_000)
          .then((taken) => assert.ok(taken.some((s) => s.tenant_id === 'ten_lost')));
        const takenAt = Date.now();
        await within(LEASE_MS, () => aborted !== null);
        assert.ok((aborted ?? 0) - takenAt <= LEASE_MS / 3 + 500);
        const row = await stores[0].schedules.get({
          tenant_id: 'ten_lost',
          connection_id: 'con_lost',
          stream: 'customers',
        });
        assert.equal(row?.lease_owner, 'other', 'the aborted run released nothing of the new holder');
      } finally {
        await a.stop();
      }
    });
  },
);
