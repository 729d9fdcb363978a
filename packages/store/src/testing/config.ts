/** The store adapters a test run can pick, in the order suites run them. */
export const STORE_ADAPTER_NAMES = ['pglite', 'postgres'] as const;

export type StoreAdapterName = (typeof STORE_ADAPTER_NAMES)[number];

/** How the store's test helpers are configured; read once from the environment. */
export interface TestStoreConfig {
  /** `SLUICE_TEST_DATABASE_URL`: the PostgreSQL the tests use. */
  readonly databaseUrl: string;
  /** `SLUICE_TEST_STORES`: the adapters contract suites run on (comma-separated; default all). */
  readonly stores: ReadonlyArray<StoreAdapterName>;
  /** `SLUICE_TEST_REQUIRE_POSTGRES=1`: an unreachable PostgreSQL fails the run instead of being skipped. */
  readonly requirePostgres: boolean;
}

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

const isAdapterName = (name: string): name is StoreAdapterName =>
  (STORE_ADAPTER_NAMES as ReadonlyArray<string>).includes(name);

/** Parses the test environment; throws one error naming every bad variable and the values it allows. */
export function loadTestStoreConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): TestStoreConfig {
  const problems: string[] = [];
  const listed = (env['SLUICE_TEST_STORES'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = listed.filter((name) => !isAdapterName(name));
  if (unknown.length > 0) {
    problems.push(
      `SLUICE_TEST_STORES=${JSON.stringify(env['SLUICE_TEST_STORES'])}: unknown store ${unknown.map((name) => JSON.stringify(name)).join(', ')}; use a comma-separated list of ${STORE_ADAPTER_NAMES.join(', ')}`,
    );
  }
  const requireText = env['SLUICE_TEST_REQUIRE_POSTGRES'] ?? '';
  if (!['', '0', '1'].includes(requireText)) {
    problems.push(`SLUICE_TEST_REQUIRE_POSTGRES=${JSON.stringify(requireText)}: must be one of 1, 0`);
  }
  const databaseUrl = env['SLUICE_TEST_DATABASE_URL'] || DEFAULT_TEST_DATABASE_URL;
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`SLUICE_TEST_DATABASE_URL=${JSON.stringify(databaseUrl)}: must be a postgres:// URL`);
  }
  if (problems.length > 0) throw new Error(`Invalid test configuration:\n  ${problems.join('\n  ')}`);
  // Selection keeps the suites' order, whatever order the variable lists them in.
  const stores = STORE_ADAPTER_NAMES.filter((name) => listed.length === 0 || listed.includes(name));
  return { databaseUrl, stores, requirePostgres: requireText === '1' };
}
