import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createTestConnection,
  preparedEnvelope,
  queueJob,
  queueWorld,
  STORE_ADAPTERS,
  type TestDatabase,
} from '@sluice/store/testing';
import { Housekeeping } from './housekeeping.ts';

describe('housekeeping', () => {
  let db: TestDatabase;

  before(async () => {
    const pglite = STORE_ADAPTERS.find((adapter) => adapter.name === 'pglite');
    assert.ok(pglite);
    db = await pglite.open();
    await db.store().maintenance.migrate();
  });
  after(() => db.drop());

  it('sweeps in batches until everything expired is gone, and a repeat finds nothing', async () => {
    let now = new Date('2032-01-01T00:00:00Z');
    const store = db.store({ now: () => now });
    const connection = await createTestConnection(store, 'Housekeeping');
    const envelopes = Array.from({ length: 7 }, (_, i) => preparedEnvelope(connection, i));
    await store.events.append({ connection, envelopes, dedupeWindowMs: 1_000 });
    now = new Date(now.getTime() + 5_000);
    const housekeeping = new Housekeeping({
      store,
      intervalMs: 0,
      deadLetterRetentionMs: 30 * 24 * 3600 * 1000,
      batch: 3,
      now: () => now,
    });
    assert.deepEqual(await housekeeping.runOnce(), {
      dedupe_keys: 7,
      webhook_replays: 0,
      dead_letters_expired: 0,
      job_results: 0,
      record_hashes: 0,
      outbox_relayed: 0,
    });
    assert.deepEqual(await housekeeping.runOnce(), {
      dedupe_keys: 0,
      webhook_replays: 0,
      dead_letters_expired: 0,
      job_results: 0,
      record_hashes: 0,
      outbox_relayed: 0,
    });
    // With its keys gone, a repeat of an old emission is new again, as it would be after the window anyway.
    const repeat = await store.events.append({
      connection,
      envelopes: [preparedEnvelope(connection, 0)],
      dedupeWindowMs: 1_000,
    });
    assert.equal(repeat.status === 'committed' && repeat.outcomes[0]?.status, 'accepted');
  });

  it('shares one pass between overlapping calls, and starts no timer when the interval is 0', async () => {
    const store = db.store();
    const housekeeping = new Housekeeping({ store, intervalMs: 0, deadLetterRetentionMs: 1 });
    housekeeping.start();
    const [a, b] = [housekeeping.runOnce(), housekeeping.runOnce()];
    assert.equal(a, b);
    await a;
    await housekeeping.stop();
  });

  it('keeps the planner statistics current on its own timer, while the sweep timer is off', async () => {
    const store = db.store();
    const world = await queueWorld(store, 'Statistics timer', 1);
    await store.jobs.createMany(
      Array.from({ length: 2_000 }, (_, n) => queueJob(world, n, { entity_key: `order:${n}` })),
    );
    const analyzed: string[][] = [];
    const housekeeping = new Housekeeping({
      store,
      intervalMs: 0,
      deadLetterRetentionMs: 1,
      statisticsIntervalMs: 20,
      onAnalyzed: (tables) => analyzed.push([...tables]),
    });
    housekeeping.start();
    const until = Date.now() + 10_000;
    while (analyzed.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await housekeeping.stop();
    assert.ok(analyzed[0]?.includes('jobs'), JSON.stringify(analyzed));
    const [row] = await db.client.query<{ reltuples: number }>(
      `SELECT reltuples FROM pg_class WHERE relname = 'jobs_entity_unfinished'`,
    );
    assert.ok(Number(row?.reltuples) >= 1_000, JSON.stringify(row));
  });
});
