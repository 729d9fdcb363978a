import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Stores } from '@sluice/core';
import { queueJob, queueWorld, STORE_ADAPTERS, type TestDatabase } from './testing/index.ts';

for (const adapter of STORE_ADAPTERS) {
  describe(`planner statistics contract: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;

    before(async () => {
      db = await adapter.open();
      store = db.store();
      await store.maintenance.migrate();
    });
    after(() => db.drop());

    const indexTuples = async (name: string): Promise<number> => {
      const [row] = await db.client.query<{ reltuples: number }>(
        `SELECT c.reltuples FROM pg_class c
          WHERE c.relname = $1 AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`,
        [name],
      );
      return Number(row?.reltuples);
    };

    it('analyzes a table that filled from empty, once, and its indexes stop looking empty', async () => {
      // The jobs table's indexes were created on an empty table: the planner takes them for empty.
      assert.equal(await indexTuples('jobs_entity_unfinished'), 0);
      const world = await queueWorld(store, 'Statistics', 1);
      for (let batch = 0; batch < 4; batch++) {
        await store.jobs.createMany(
          Array.from({ length: 500 }, (_, i) => {
            const n = batch * 500 + i;
            return queueJob(world, n, { entity_key: `order:${n}` });
          }),
        );
      }
      const analyzed = await store.maintenance.refreshStatistics();
      assert.ok(analyzed.includes('jobs'), `jobs among ${JSON.stringify(analyzed)}`);
      assert.ok(!analyzed.includes('schema_migrations'), 'a small table is left alone');
      const tuples = await indexTuples('jobs_entity_unfinished');
      assert.ok(tuples >= 1_000, `the entity index counts its jobs now: ${tuples}`);
      assert.deepEqual(await store.maintenance.refreshStatistics(), [], 'nothing doubled since');
      // An entity's next job is looked up through the entity's own index, not a tenant-wide one.
      const plan = await db.client.query<Record<string, string>>(
        `EXPLAIN SELECT q.id FROM jobs q
          WHERE q.tenant_id = $1 AND q.entity_key = 'order:7' AND q.entity_key IS NOT NULL
            AND q.status IN ('queued', 'running', 'retrying') AND q.status = 'queued'
          ORDER BY q.seq LIMIT 1`,
        [world.tenant_id],
      );
      const text = plan.map((row) => Object.values(row)[0]).join('\n');
      assert.match(text, /jobs_entity_unfinished/, text);
    });

    it('runs in one process at a time: concurrent passes analyze each table once between them', async () => {
      const world = await queueWorld(store, 'Statistics twice', 1);
      await store.jobs.createMany(
        Array.from({ length: 3_000 }, (_, n) => queueJob(world, n, { entity_key: `order:${n}` })),
      );
      const passes = await Promise.all([
        store.maintenance.refreshStatistics(),
        store.maintenance.refreshStatistics(),
      ]);
      const names = passes.flat();
      assert.ok(names.includes('jobs'), JSON.stringify(passes));
      assert.equal(new Set(names).size, names.length, `no table twice: ${JSON.stringify(passes)}`);
    });

    it('vacuums a churned table where autovacuum does not run, and nothing where it does', async () => {
      const [setting] = await db.client.query<{ autovacuum: string }>(
        `SELECT current_setting('autovacuum') AS autovacuum`,
      );
      // PGlite reports autovacuum on but runs none; a PostgreSQL server runs it when it is on.
      const runs = adapter.name === 'postgres' && setting?.autovacuum === 'on';
      const world = await queueWorld(store, 'Vacuum', 1);
      await store.jobs.createMany(
        Array.from({ length: 2_000 }, (_, n) => queueJob(world, 10_000 + n, { entity_key: null })),
      );
      // Every row rewritten twice: 4,000 dead versions in a table of 2,000 live ones.
      for (const status of ['running', 'queued']) {
        await db.client.exec(`UPDATE jobs SET status = '${status}' WHERE tenant_id = '${world.tenant_id}'`);
      }
      const vacuumed: string[] = [];
      // PostgreSQL counts dead rows a moment after the transaction; PGlite takes its tables in turn, each
      // from its second turn on (here with no wait between them).
      const eager = db.store({ embeddedVacuumEveryMs: 0 });
      for (let attempt = 0; attempt < 40 && !vacuumed.includes('jobs'); attempt++) {
        vacuumed.push(...(await eager.maintenance.vacuumDead()));
        if (!vacuumed.includes('jobs')) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (runs) {
        assert.deepEqual(vacuumed, [], 'autovacuum does it');
        return;
      }
      assert.ok(vacuumed.includes('jobs'), JSON.stringify(vacuumed));
      const [stats] = await db.client.query<{ vacuumed: boolean }>(
        `SELECT last_vacuum IS NOT NULL AS vacuumed FROM pg_stat_user_tables
          WHERE relname = 'jobs' AND schemaname = current_schema()`,
      );
      assert.equal(stats?.vacuumed, true);
      assert.ok(
        !(await eager.maintenance.vacuumDead()).includes('jobs'),
        'not again at once: its dead rows are gone (or, on PGlite, its turn was just now)',
      );
    });
  });
}
