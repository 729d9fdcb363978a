/** The environment a Sluice process started by a test runs with: this process's, plus `overrides`. */
export function childEnv(overrides: Readonly<Record<string, string>>): Record<string, string | undefined> {
  return { ...process.env, ...overrides };
}

/**
 * The environment for a test run of its own started by a test (`node --test` in a child): this process's,
 * without the test runner's context, which would make the child report to this run instead of printing.
 */
export function ownTestRunEnv(): Record<string, string | undefined> {
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return env;
}
