export { MIGRATIONS, type Migration } from './migrations.ts';
export { migrate } from './migrator.ts';
export { openStore, type StoreLocation, StoreOpenError } from './open-store.ts';
export {
  createPgliteClient,
  type PgliteRecoveryOptions,
  type PgliteStateChange,
  SupervisedPglite,
} from './pglite-client.ts';
export { isPosition } from './position.ts';
export { PostgresChangeFeed, type PostgresChangeFeedOptions } from './postgres-change-feed.ts';
export { createPostgresClient, type PostgresClientOptions } from './postgres-client.ts';
export type { SqlClient, SqlExecutor } from './sql-client.ts';
export { DEFAULT_AGING_MS, type JobQueueOptions, SqlJobQueue } from './sql-job-queue.ts';
export { SqlStores, type SqlStoresOptions } from './sql-stores.ts';
export { asStorageError, isDataError, isUnavailable, isUnwritable } from './storage-errors.ts';
