import { MIGRATIONS, type Migration } from './migrations.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * Applies pending migrations in one transaction under an advisory lock, so two processes starting at
 * once do not race; already applied ids are skipped, which makes a second run a no-op.
 */
export async function migrate(
  client: SqlClient,
  migrations: ReadonlyArray<Migration> = MIGRATIONS,
): Promise<{ applied: string[] }> {
  return client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sluice.migrate'))`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await tx.query<{ id: string }>('SELECT id FROM schema_migrations');
    const done = new Set(rows.map((row) => row.id));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
      applied.push(migration.id);
    }
    return { applied };
  });
}
