export { createTestConnection, openConnectedStore, preparedEnvelope } from './fixtures.ts';
export { type GatedClient, gatedClient } from './gated-client.ts';
export { waitForHorizon } from './horizon.ts';
export { checkPgliteIntegrity, type PgliteIntegrity } from './pglite-integrity.ts';
export {
  attemptAt,
  claimOf,
  clearQueue,
  type JobShape,
  modeTrigger,
  type QueueWorld,
  queueJob,
  queueWorld,
  succeedAll,
} from './queue-fixtures.ts';
export { STORE_ADAPTERS, type StoreAdapter, TEST_DATABASE_URL, type TestDatabase } from './store-adapters.ts';
export { mountTmpfs, type Tmpfs, tmpfsUnavailable } from './tmpfs.ts';
