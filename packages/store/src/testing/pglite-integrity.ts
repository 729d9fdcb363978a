import { PGlite } from '@electric-sql/pglite';
import { amcheck } from '@electric-sql/pglite/contrib/amcheck';
import { MIGRATIONS } from '../migrations.ts';
import { pgliteClientOf } from '../pglite-client.ts';
import type { SqlClient } from '../sql-client.ts';

/** What a data directory opened anew shows: whether it opened, is migrated, and reads back whole. */
export interface PgliteIntegrity {
  /** Migrations the code has that the directory has not applied (none: current). */
  readonly pendingMigrations: ReadonlyArray<string>;
  /** Rows per table, every row of every table read. */
  readonly tables: Readonly<Record<string, number>>;
  /** B-tree indexes checked with amcheck's `bt_index_check` (the heap matched, every tuple in them). */
  readonly indexesChecked: number;
  /** What was wrong: a table that could not be read, an index amcheck refused. */
  readonly problems: ReadonlyArray<string>;
}

/**
 * Opens the PGlite data directory `dataDir` in this process (nothing else may have it open), checks it
 * without writing to it first (no migrations are run), and hands the open client to `then` before it
 * closes it, for the caller's own counts.
 */
export async function checkPgliteIntegrity<T>(
  dataDir: string,
  then: (client: SqlClient) => Promise<T>,
): Promise<{ integrity: PgliteIntegrity; result: T }> {
  const db = new PGlite(dataDir, { extensions: { amcheck } });
  await db.waitReady;
  const client = pgliteClientOf(db);
  try {
    const problems: string[] = [];
    const applied = new Set(
      (await client.query<{ id: string }>('SELECT id FROM schema_migrations')).map((row) => row.id),
    );
    const pendingMigrations = MIGRATIONS.map((m) => m.id).filter((id) => !applied.has(id));
    const tables: Record<string, number> = {};
    const names = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    for (const { name } of names) {
      try {
        const [row] = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${name}"`);
        tables[name] = row?.n ?? 0;
      } catch (error) {
        problems.push(`table ${name} unreadable: ${(error as Error).message}`);
      }
    }
    await client.exec('CREATE EXTENSION IF NOT EXISTS amcheck');
    const indexes = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_am am ON am.oid = c.relam
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE am.amname = 'btree' AND n.nspname = current_schema()`,
    );
    for (const { name } of indexes) {
      try {
        await client.query(`SELECT bt_index_check($1::regclass, true)`, [name]);
      } catch (error) {
        problems.push(`index ${name}: ${(error as Error).message}`);
      }
    }
    const integrity = { pendingMigrations, tables, indexesChecked: indexes.length, problems };
    return { integrity, result: await then(client) };
  } finally {
    await client.close();
  }
}
