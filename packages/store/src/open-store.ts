import { createPgliteClient } from './pglite-client.ts';
import { createPostgresClient } from './postgres-client.ts';
import { SqlStores, type SqlStoresOptions } from './sql-stores.ts';

export type StoreLocation =
  | { readonly kind: 'pglite'; readonly dataDir?: string }
  | {
      readonly kind: 'postgres';
      readonly connectionString: string;
      readonly schema?: string;
      readonly max?: number;
    };

/** Opens (and migrates) the store at `location`: embedded PGlite or a PostgreSQL server. */
export async function openStore(location: StoreLocation, options: SqlStoresOptions = {}): Promise<SqlStores> {
  const client =
    location.kind === 'pglite'
      ? await createPgliteClient(location.dataDir)
      : createPostgresClient({
          connectionString: location.connectionString,
          ...(location.schema === undefined ? {} : { schema: location.schema }),
          ...(location.max === undefined ? {} : { max: location.max }),
        });
  const store = new SqlStores(client, options);
  await store.maintenance.migrate();
  return store;
}
