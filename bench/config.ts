/** `npm run bench` settings and the environment its child servers start with; the only env reader here. */

const positive = (name: string, fallback: number): number => {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name}=${JSON.stringify(text)}: must be a whole number of at least 1`);
  }
  return value;
};

/** `BENCH_SECONDS`: how long each scenario runs. */
export const BENCH_SECONDS = positive('BENCH_SECONDS', 8);

/** `BENCH_CONNECTIONS`: concurrent HTTP connections per scenario. */
export const BENCH_CONNECTIONS = positive('BENCH_CONNECTIONS', 64);

/** `BENCH_SECRET`: the Shopify secret the baseline server checks (the bench passes it in). */
export function benchSecret(): string {
  return process.env['BENCH_SECRET'] || 'bench-secret';
}

/** The environment a server under measurement starts with: this process's, plus `overrides`. */
export function childEnv(overrides: Readonly<Record<string, string>>): Record<string, string | undefined> {
  return { ...process.env, ...overrides };
}

/**
 * `BENCH_NODE_FLAGS`: node flags (space-separated) for every server under measurement, put on its command
 * line: V8's own flags (`--liftoff-only`, `--optimize-for-size`) are refused in `NODE_OPTIONS`.
 */
export function serverNodeFlags(): string[] {
  return (process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter((flag) => flag !== '');
}

/** `BENCH_STATEMENT_LOG`: where `statement-timing.ts`, preloaded into a process, writes its table. */
export function statementLogFile(): string | undefined {
  const file = process.env['BENCH_STATEMENT_LOG'];
  return file === undefined || file === '' ? undefined : file;
}
