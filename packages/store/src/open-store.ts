import { createPgliteClient, type PgliteRecoveryOptions } from './pglite-client.ts';
import { createPostgresClient } from './postgres-client.ts';
import { SqlStores, type SqlStoresOptions } from './sql-stores.ts';

export type StoreLocation =
  | {
      readonly kind: 'pglite';
      readonly dataDir?: string;
      /** How a file-backed store waits out a data directory that stops taking writes. */
      readonly recovery?: PgliteRecoveryOptions;
    }
  | {
      readonly kind: 'postgres';
      readonly connectionString: string;
      readonly schema?: string;
      readonly max?: number;
      /** Named prepared statements (on unless false): see `PostgresClientOptions.preparedStatements`. */
      readonly preparedStatements?: boolean;
    };

/** Opens (and migrates) the store at `location`: embedded PGlite or a PostgreSQL server. */
export async function openStore(location: StoreLocation, options: SqlStoresOptions = {}): Promise<SqlStores> {
  const client =
    location.kind === 'pglite'
      ? await createPgliteClient(location.dataDir, location.recovery)
      : createPostgresClient({
          connectionString: location.connectionString,
          ...(location.schema === undefined ? {} : { schema: location.schema }),
          ...(location.max === undefined ? {} : { max: location.max }),
          ...(location.preparedStatements === undefined
            ? {}
            : { preparedStatements: location.preparedStatements }),
        });
  const store = new SqlStores(client, options);
  try {
    await store.maintenance.migrate();
  } catch (error) {
    await client.close().catch(() => undefined);
    if (location.kind === 'postgres') throw explainPostgresFailure(location.connectionString, error);
    throw error;
  }
  return store;
}

/** The store could not be opened, said in words an operator can act on. */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
}

/** The SQLSTATE or system error code of an error or of the error it wraps (an AggregateError's first). */
function codeOf(error: unknown): unknown {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'storage_unavailable') return code;
    e = e instanceof AggregateError ? e.errors[0] : (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Turns the failures a newcomer meets first (no database, no server) into what to do about them. */
function explainPostgresFailure(connectionString: string, error: unknown): unknown {
  const url = URL.canParse(connectionString) ? new URL(connectionString) : null;
  if (url === null) return error;
  const code = codeOf(error);
  const database = decodeURIComponent(url.pathname.slice(1)) || 'postgres';
  const host = url.hostname || 'localhost';
  const port = url.port || '5432';
  const user = decodeURIComponent(url.username) || 'postgres';
  if (code === '3D000') {
    return new StoreOpenError(
      `PostgreSQL at ${host}:${port} has no database "${database}". Create it with\n` +
        `  createdb -h ${host} -p ${port} -U ${user} ${database}\n` +
        `or: psql -h ${host} -p ${port} -U ${user} -d postgres -c 'CREATE DATABASE "${database}"'\n` +
        'then start Sluice again; it creates its tables itself.',
      { cause: error },
    );
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new StoreOpenError(
      `Cannot reach PostgreSQL at ${host}:${port} (${String(code)}). Is it running, and is ` +
        'SLUICE_DATABASE_URL right? Without SLUICE_DATABASE_URL Sluice runs embedded, with no server.',
      { cause: error },
    );
  }
  return error;
}
