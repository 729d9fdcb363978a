export { MIGRATIONS, type Migration } from './migrations.ts';
export { migrate } from './migrator.ts';
export { openStore, type StoreLocation } from './open-store.ts';
export { createPgliteClient } from './pglite-client.ts';
export { isPosition } from './position.ts';
export { createPostgresClient, type PostgresClientOptions } from './postgres-client.ts';
export type { SqlClient, SqlExecutor } from './sql-client.ts';
export { SqlStores, type SqlStoresOptions } from './sql-stores.ts';
export { asStorageError, isUnavailable } from './storage-errors.ts';
