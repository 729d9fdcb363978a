import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MIGRATIONS } from './migrations.ts';
import { migrate } from './migrator.ts';
import { claimOf, STORE_ADAPTERS, type TestDatabase } from './testing/index.ts';

const before0009 = MIGRATIONS.slice(
  0,
  MIGRATIONS.findIndex((migration) => migration.id === '0009_job_queue'),
);

for (const adapter of STORE_ADAPTERS) {
  describe(`job queue migration: ${adapter.name}`, () => {
    let db: TestDatabase;

    before(async () => {
      db = await adapter.open();
    });
    after(() => db.drop());

    it('gives jobs made before the queue their default key, run time and heads', async () => {
      await migrate(db.client, before0009);
      await db.client.query(`INSERT INTO tenants (id, name) VALUES ('ten_old', 'Old')`);
      const job = (id: string, n: number, entity: string | null, status = 'queued') =>
        db.client.query(
          `INSERT INTO jobs (id, tenant_id, trigger_id, event_id, connection_id, priority, entity_key, event_tx,
             event_log, status, created_at)
           VALUES ($1, 'ten_old', 'trg_old', $2, 'con_old', 'P2', $3, $4::text::xid8, $4::text::bigint, $5, '2030-01-01T00:00:00Z')`,
          [id, `01a23000-0000-7000-8000-00000000000${n}`, entity, 100 + n, status],
        );
      await job('job_a1', 1, 'order:a');
      await job('job_a2', 2, 'order:a');
      await job('job_b1', 3, 'order:b', 'succeeded');
      await job('job_b2', 4, 'order:b', 'running');
      await job('job_b3', 5, 'order:b');
      await job('job_n', 6, null);
      const { applied } = await migrate(db.client);
      assert.ok(applied.includes('0009_job_queue'));
      const rows = await db.client.query<{
        id: string;
        idempotency_key: string;
        run_after: Date;
        head: boolean;
      }>('SELECT id, idempotency_key, run_after, head FROM jobs ORDER BY id');
      assert.deepEqual(
        rows.map((row) => [row.id, row.head]),
        [
          ['job_a1', true],
          ['job_a2', false],
          ['job_b1', false],
          ['job_b2', true],
          ['job_b3', false],
          ['job_n', true],
        ],
      );
      assert.equal(rows[0]?.idempotency_key, 'trg_old:01a23000-0000-7000-8000-000000000001');
      assert.equal(new Date(rows[0]?.run_after ?? 0).toISOString(), '2030-01-01T00:00:00.000Z');
      const store = db.store({ now: () => new Date('2030-01-01T00:01:00Z') });
      // The jobs' events were never stored: a claim fails them rather than hand out a job it cannot run.
      assert.deepEqual(await store.queue.claim(claimOf('exec', 10)), []);
      const statuses = await db.client.query<{ id: string; status: string }>(
        'SELECT id, status FROM jobs ORDER BY id',
      );
      assert.deepEqual(
        statuses.map((row) => `${row.id}:${row.status}`),
        [
          'job_a1:failed',
          'job_a2:queued',
          'job_b1:succeeded',
          'job_b2:failed',
          'job_b3:queued',
          'job_n:failed',
        ],
        'the running job without a lease was put back and taken like the others',
      );
    });
  });
}
