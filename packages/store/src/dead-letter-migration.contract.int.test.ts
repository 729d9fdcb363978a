import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MIGRATIONS } from './migrations.ts';
import { migrate } from './migrator.ts';
import { STORE_ADAPTERS, type TestDatabase } from './testing/index.ts';

const before0010 = MIGRATIONS.slice(
  0,
  MIGRATIONS.findIndex((migration) => migration.id === '0010_dead_letter_policies'),
);

for (const adapter of STORE_ADAPTERS) {
  describe(`dead-letter policies migration: ${adapter.name}`, () => {
    let db: TestDatabase;

    before(async () => {
      db = await adapter.open();
    });
    after(() => db.drop());

    it('keeps the newest dead letter of each job, leaves ingest ones alone, and turns alerts off', async () => {
      await migrate(db.client, before0010);
      await db.client.query(`INSERT INTO tenants (id, name) VALUES ('ten_old', 'Old')`);
      const letter = (id: string, kind: string, jobId: string | null, at: string) =>
        db.client.query(
          `INSERT INTO dead_letters (id, tenant_id, kind, job_id, connector, event_payload, error_message, created_at)
           VALUES ($1, 'ten_old', $2, $3, 'c', '{}'::jsonb, 'failed', $4)`,
          [id, kind, jobId, at],
        );
      await letter('dlq_old', 'job', 'job_1', '2030-01-01T00:00:00Z');
      await letter('dlq_new', 'job', 'job_1', '2030-01-02T00:00:00Z');
      await letter('dlq_other', 'job', 'job_2', '2030-01-01T00:00:00Z');
      await letter('dlq_in1', 'ingest', null, '2030-01-01T00:00:00Z');
      await letter('dlq_in2', 'ingest', null, '2030-01-01T00:00:00Z');
      const { applied } = await migrate(db.client);
      assert.equal(applied[0], '0010_dead_letter_policies', 'the migrations from 0010 on are applied');
      const ids = await db.client.query<{ id: string }>('SELECT id FROM dead_letters ORDER BY id');
      assert.deepEqual(
        ids.map((row) => row.id),
        ['dlq_in1', 'dlq_in2', 'dlq_new', 'dlq_other'],
      );
      const store = db.store();
      const tenant = await store.tenancy.getTenant('ten_old');
      assert.equal(tenant?.dead_letter_alert_threshold, null);
      await assert.rejects(
        letter('dlq_dup', 'job', 'job_2', '2030-01-03T00:00:00Z'),
        'one dead letter per job from now on',
      );
    });
  });
}
