import { randomBytes } from 'node:crypto';
import { createPgliteClient } from '../pglite-client.ts';
import { createPostgresClient } from '../postgres-client.ts';
import type { SqlClient } from '../sql-client.ts';
import { SqlStores, type SqlStoresOptions } from '../sql-stores.ts';

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
  readonly name: 'pglite' | 'postgres';
  open(): Promise<TestDatabase>;
}

/** The PostgreSQL the tests use; CI points it at the loopback server. */
export const TEST_DATABASE_URL =
  process.env['SLUICE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

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

/** Every store adapter; contract suites run once per entry, unchanged. */
export const STORE_ADAPTERS: ReadonlyArray<StoreAdapter> = [pglite, postgres];
