/** The Redis the bus tests use; CI points it at the loopback server. */
export const TEST_REDIS_URL = process.env['SLUICE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
