import { randomBytes } from 'node:crypto';
import { createPgliteClient } from '../pglite-client.ts';
import { createPostgresClient } from '../postgres-client.ts';
import type { SqlClient } from '../sql-client.ts';
import { SqlStores, type SqlStoresOptions } from '../sql-stores.ts';
import { loadTestStoreConfig, type StoreAdapterName, type TestStoreConfig } from './config.ts';

/** A fresh, empty database for one test file, and how to throw it away. */
export interface TestDatabase {
  readonly client: SqlClient;
  /** The PostgreSQL schema (and application_name) of this database; null for PGlite. */
  readonly schema: string | null;
  /** A new store over the same database (as a second process would see it). */
  store(options?: SqlStoresOptions): SqlStores;
  drop(): Promise<void>;
}

export interface StoreAdapter {
  readonly name: StoreAdapterName;
  open(): Promise<TestDatabase>;
}

const config = loadTestStoreConfig();

/** The PostgreSQL the tests use (`SLUICE_TEST_DATABASE_URL`); CI points it at the loopback server. */
export const TEST_DATABASE_URL = config.databaseUrl;

const pglite: StoreAdapter = {
  name: 'pglite',
  async open() {
    const client = await createPgliteClient();
    return {
      client,
      schema: null,
      store: (options) => new SqlStores(client, options),
      drop: () => client.close(),
    };
  },
};

/** Each test database is its own schema, so files run in parallel without seeing each other. */
const postgres: StoreAdapter = {
  name: 'postgres',
  async open() {
    const schema = `sluice_test_${randomBytes(6).toString('hex')}`;
    const admin = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    const client = createPostgresClient({
      connectionString: TEST_DATABASE_URL,
      schema,
      max: 20,
      applicationName: schema,
    });
    return {
      client,
      schema,
      store: (options) => new SqlStores(client, options),
      async drop() {
        await client.close();
        await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
        await admin.close();
      },
    };
  },
};

const ADAPTERS: Record<StoreAdapterName, StoreAdapter> = { pglite, postgres };

/** The reason PostgreSQL cannot be used, or null when it answers. */
async function postgresUnreachable(url: string): Promise<string | null> {
  const probe = createPostgresClient({ connectionString: url, max: 1 });
  try {
    await probe.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await probe.close().catch(() => {});
  }
}

/**
 * The adapters `SLUICE_TEST_STORES` picks. An unreachable PostgreSQL fails the run when
 * `SLUICE_TEST_REQUIRE_POSTGRES=1` (CI), and is otherwise left out with a note on stderr.
 */
async function selectAdapters(selection: TestStoreConfig): Promise<StoreAdapter[]> {
  const selected: StoreAdapter[] = [];
  for (const name of selection.stores) {
    if (name === 'postgres') {
      const reason = await postgresUnreachable(selection.databaseUrl);
      if (reason !== null) {
        const where = `PostgreSQL at ${redactPassword(selection.databaseUrl)} is unreachable (${reason})`;
        if (selection.requirePostgres) {
          throw new Error(
            `${where}, and SLUICE_TEST_REQUIRE_POSTGRES=1 requires it. Start PostgreSQL, point SLUICE_TEST_DATABASE_URL at one, or run without SLUICE_TEST_REQUIRE_POSTGRES.`,
          );
        }
        process.stderr.write(
          `# note: ${where}; the postgres store adapter is skipped. Set SLUICE_TEST_REQUIRE_POSTGRES=1 to fail instead, or SLUICE_TEST_STORES=pglite to silence this.\n`,
        );
        continue;
      }
    }
    selected.push(ADAPTERS[name]);
  }
  return selected;
}

const redactPassword = (url: string): string => {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
};

/**
 * The store adapters this run uses (`SLUICE_TEST_STORES`, default all); contract suites run once per entry,
 * unchanged, and a suite written for one adapter skips when it is not here.
 */
export const STORE_ADAPTERS: ReadonlyArray<StoreAdapter> = await selectAdapters(config);
