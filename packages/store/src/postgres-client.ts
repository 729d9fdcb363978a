import pg from 'pg';
import type { SqlClient, SqlExecutor } from './sql-client.ts';
import { asStorageError } from './storage-errors.ts';

export interface PostgresClientOptions {
  readonly connectionString: string;
  /** Pool size; each concurrent transaction holds one connection. */
  readonly max?: number;
  /** `search_path` for every connection (used to isolate test schemas). */
  readonly schema?: string;
  /** Shown in `pg_stat_activity`; defaults to `sluice`. */
  readonly applicationName?: string;
}

/** A PostgreSQL `SqlClient` over a `pg` pool. */
export function createPostgresClient(options: PostgresClientOptions): SqlClient {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    application_name: options.applicationName ?? 'sluice',
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // A client losing its connection (a database restart) emits 'error', idle or checked out, even after it
  // was released; unheard, that would crash the process. Remember it instead and discard it on release.
  const dead = new WeakSet<pg.ClientBase>();
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => dead.add(client)));

  const executor = (client: pg.Pool | pg.PoolClient): SqlExecutor => ({
    async query<Row extends object>(text: string, params: ReadonlyArray<unknown> = []) {
      try {
        const result = await client.query<Row>(text, params as unknown[]);
        return result.rows;
      } catch (error) {
        throw asStorageError(error, 'postgres');
      }
    },
    async exec(script: string) {
      try {
        await client.query(script);
      } catch (error) {
        throw asStorageError(error, 'postgres');
      }
    },
  });

  return {
    dialect: 'postgres',
    ...executor(pool),
    async transaction(work) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw asStorageError(error, 'postgres');
      }
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw asStorageError(error, 'postgres');
      } finally {
        client.release(broken || dead.has(client));
      }
    },
    async close() {
      await pool.end();
    },
  };
}
