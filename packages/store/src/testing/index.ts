export { createTestConnection, preparedEnvelope } from './fixtures.ts';
export { STORE_ADAPTERS, type StoreAdapter, TEST_DATABASE_URL, type TestDatabase } from './store-adapters.ts';
