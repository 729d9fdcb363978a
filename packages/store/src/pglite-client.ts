import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { SqlClient, SqlExecutor } from './sql-client.ts';
import { asStorageError } from './storage-errors.ts';

/**
 * An embedded PostgreSQL (WASM) `SqlClient`, file-backed under `dataDir` or in memory when omitted.
 * PGlite has one connection, so transactions run one at a time.
 */
export async function createPgliteClient(dataDir?: string): Promise<SqlClient> {
  const db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await db.waitReady;

  const executor = (target: PGlite | Transaction): SqlExecutor => ({
    async query<Row extends object>(text: string, params: ReadonlyArray<unknown> = []) {
      try {
        const result = await target.query<Row>(text, params as unknown[]);
        return result.rows;
      } catch (error) {
        throw asStorageError(error, 'pglite');
      }
    },
    async exec(script: string) {
      try {
        await target.exec(script);
      } catch (error) {
        throw asStorageError(error, 'pglite');
      }
    },
  });

  return {
    dialect: 'pglite',
    ...executor(db),
    transaction: (work) => db.transaction((tx) => work(executor(tx))),
    async close() {
      if (!db.closed) await db.close();
    },
  };
}
