import pg from 'pg';
import type { SqlClient, SqlExecutor } from './sql-client.ts';
import { asStorageError } from './storage-errors.ts';

export interface PostgresClientOptions {
  readonly connectionString: string;
  /** Pool size; each concurrent transaction holds one connection. */
  readonly max?: number;
  /** `search_path` for every connection (used to isolate test schemas). */
  readonly schema?: string;
}

/** A PostgreSQL `SqlClient` over a `pg` pool. */
export function createPostgresClient(options: PostgresClientOptions): SqlClient {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle client losing its connection (a database restart) must not crash the process.
  pool.on('error', () => {});

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
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
