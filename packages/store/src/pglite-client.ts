import { PGlite, type Transaction } from '@electric-sql/pglite';
import { templateFor } from './pglite-template.ts';
import type { SqlClient, SqlExecutor } from './sql-client.ts';
import { asStorageError } from './storage-errors.ts';

/**
 * An embedded PostgreSQL (WASM) `SqlClient`, file-backed under `dataDir` or in memory when omitted.
 * PGlite has one connection, so transactions run one at a time. A new or empty `dataDir` starts from the
 * shipped template (see `pglite-template.ts`) when there is one, and from initdb otherwise.
 */
export async function createPgliteClient(dataDir?: string): Promise<SqlClient> {
  const db = dataDir === undefined ? new PGlite() : await openDataDir(dataDir);
  await db.waitReady;
  return pgliteClientOf(db);
}

/** A `SqlClient` over a PGlite instance that is ready; closing the client closes it. */
export function pgliteClientOf(db: PGlite): SqlClient {
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

async function openDataDir(dataDir: string): Promise<PGlite> {
  const template = await templateFor(dataDir);
  return template === null ? new PGlite(dataDir) : new PGlite(dataDir, { loadDataDir: template });
}
