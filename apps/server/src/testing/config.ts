/** The environment a Sluice process started by a test runs with: this process's, plus `overrides`. */
export function childEnv(overrides: Readonly<Record<string, string>>): Record<string, string | undefined> {
  return { ...process.env, ...overrides };
}
