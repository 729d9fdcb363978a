import { lazyModule } from '@sluice/core';
import type pg from 'pg';
import type { SqlClient, SqlExecutor } from './sql-client.ts';
import { asStorageError, isStalePlan } from './storage-errors.ts';

/** The driver, loaded with the first PostgreSQL client: an embedded start never needs it. */
export const postgresDriver = lazyModule<typeof pg>(import.meta.url, 'pg');

export interface PostgresClientOptions {
  readonly connectionString: string;
  /** Pool size; each concurrent transaction holds one connection. */
  readonly max?: number;
  /** `search_path` for every connection (used to isolate test schemas). */
  readonly schema?: string;
  /** Shown in `pg_stat_activity`; defaults to `sluice`. */
  readonly applicationName?: string;
  /**
   * Parameterized statements as named prepared statements (the default): see `statementNames`. Off for a
   * pooler that cannot carry them (PgBouncer before 1.21, or with `max_prepared_statements = 0`).
   */
  readonly preparedStatements?: boolean;
}

/**
 * Run on every new connection: no JIT compilation. PostgreSQL compiles a statement's expressions to
 * machine code when the planner's cost estimate passes `jit_above_cost` (100,000), and it pays that on
 * every execution, a prepared statement's too. The job claim's estimate passes it (the planner assumes
 * a hundred tenants for the recursive tenant scan), and its JIT took most of each 80–130 ms claim
 * (79–89 ms in the plans logged) for a statement that runs in about 10 ms: Sluice's statements are
 * short, and never win it back.
 */
const SESSION_SETUP = 'SET jit = off';

/** How many statement texts get a name; any further one runs unnamed (bounded, should a text vary). */
const MAX_NAMED_STATEMENTS = 256;

/**
 * Names for the texts of parameterized statements. A named statement is parsed once per connection, and
 * PostgreSQL keeps its plan once it judges the generic plan no worse than the custom ones (after five
 * runs): an ingest group's statement of twenty CTEs spent 0.9 ms in parse and 2.7 ms in bind (its
 * planning) each time it ran, a quarter of the database's time in the end-to-end bench. A later schema
 * change replans them; `forget` drops a name whose cached plan no longer fits (see `isStalePlan`).
 */
function statementNames(enabled: boolean) {
  const names = new Map<string, string>();
  let next = 0;
  return {
    of(text: string, params: ReadonlyArray<unknown>): string | undefined {
      if (!enabled || params.length === 0) return undefined;
      let name = names.get(text);
      if (name === undefined && names.size < MAX_NAMED_STATEMENTS) {
        name = `sluice_${next++}`;
        names.set(text, name);
      }
      return name;
    },
    forget(text: string): void {
      names.delete(text);
    },
  };
}

/** A PostgreSQL `SqlClient` over a `pg` pool. */
export function createPostgresClient(options: PostgresClientOptions): SqlClient {
  const pool = new (postgresDriver().Pool)({
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
  pool.on('connect', (client) => {
    client.on('error', () => dead.add(client));
    // Queued before anything the pool hands the client out for, so every statement runs without it.
    client.query(SESSION_SETUP).catch(() => {});
  });

  const names = statementNames(options.preparedStatements ?? true);

  const executor = (client: pg.Pool | pg.PoolClient, inTransaction: boolean): SqlExecutor => ({
    async query<Row extends object>(text: string, params: ReadonlyArray<unknown> = []) {
      const values = params as unknown[];
      const name = names.of(text, params);
      try {
        const result = await client.query<Row>(
          name === undefined ? { text, values } : { name, text, values },
        );
        return result.rows;
      } catch (error) {
        if (name === undefined || !isStalePlan(error)) throw asStorageError(error, 'postgres');
        // The next use parses afresh under a new name; outside a transaction this one runs again at once.
        names.forget(text);
        if (inTransaction) throw asStorageError(error, 'postgres');
        try {
          return (await client.query<Row>({ text, values })).rows;
        } catch (again) {
          throw asStorageError(again, 'postgres');
        }
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
    ...executor(pool, false),
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
        const result = await work(executor(client, true));
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
