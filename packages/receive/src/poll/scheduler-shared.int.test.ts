import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Stores, StreamSchedule } from '@sluice/core';
import { STORE_ADAPTERS, type TestDatabase } from '@sluice/store/testing';
import { Scheduler } from './scheduler.ts';
import type { PollPassResult, StreamRunner } from './stream-runner.ts';

const postgres = STORE_ADAPTERS.find((a) => a.name === 'postgres');

const done: PollPassResult = {
  status: 'completed',
  pages: 1,
  records: 0,
  emitted: 0,
  duplicates: 0,
  changes: { created: 0, updated: 0, deleted: 0 },
};

describe('two schedulers over one PostgreSQL', { skip: postgres === undefined }, () => {
  let db: TestDatabase;
  let stores: [Stores, Stores];

  before(async () => {
    db = await (postgres ?? STORE_ADAPTERS[0])!.open();
    stores = [db.store(), db.store()];
    await stores[0].maintenance.migrate();
  });
  after(() => db.drop());

  it('share the streams and never run one stream twice at once', async () => {
    const now = new Date();
    await stores[0].schedules.upsertStreams(
      Array.from({ length: 40 }, (_, i) => ({
        tenant_id: `ten_${i % 4}`,
        connection_id: `con_${i % 8}`,
        stream: `s${i}`,
        connector_id: 'test',
        schedule: '* * * * * *',
        timezone: 'UTC',
        settings: {},
        next_run_at: now,
      })),
    );
    const running = new Set<string>();
    const overlaps: string[] = [];
    const runsBy = new Map<string, number>();
    const runner = (name: string): StreamRunner => ({
      async run(stream: StreamSchedule) {
        const key = `${stream.connection_id}/${stream.stream}`;
        if (running.has(key)) overlaps.push(key);
        running.add(key);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running.delete(key);
        runsBy.set(name, (runsBy.get(name) ?? 0) + 1);
        return done;
      },
    });
    const schedulers = stores.map(
      (store, i) =>
        new Scheduler({
          store: store.schedules,
          runner: runner(`s${i}`),
          concurrency: 8,
          maxSleepMs: 200,
          leaseMs: 10_000,
        }),
    );
    for (const s of schedulers) s.start();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await Promise.all(schedulers.map((s) => s.stop()));
    assert.deepEqual(overlaps, []);
    assert.ok((runsBy.get('s0') ?? 0) > 10 && (runsBy.get('s1') ?? 0) > 10, JSON.stringify([...runsBy]));
    const rows = await stores[0].schedules.list('ten_0');
    assert.ok(rows.every((r) => r.lease_owner === null && r.last_success_at !== null));
  });
});
