import type { HostileSummary } from './hostile-input.ts';
import { hostileInput } from './hostile-input.ts';
import { postgresRestart } from './postgres-restart.ts';
import { redisRestart } from './redis-restart.ts';
import { stageCrash } from './stage-crash.ts';
import type { ChaosSummary } from './summary.ts';

const progress = (line: string) => process.stderr.write(`${line}\n`);

/**
 * `npm run chaos [scenario…]`: the full form of every chaos scenario (or the ones named), one JSON summary
 * line each on stdout; exits 1 when any fails.
 */
const SCENARIOS: Record<string, () => Promise<ChaosSummary | HostileSummary>> = {
  'stage-crash': () => stageCrash({ roundsPerKind: 10 }),
  'postgres-restart': () => postgresRestart({ rounds: 5 }),
  'redis-restart': () => redisRestart({ rounds: 6 }),
  'hostile-input': () => hostileInput({ requests: 100_000, concurrency: 32, auditEvery: 200, progress }),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in SCENARIOS));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown scenario ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}\n`,
  );
  process.exit(2);
}
let failed = 0;
for (const [name, scenario] of Object.entries(SCENARIOS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const summary = await scenario();
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (!summary.passed) failed++;
}
process.exit(failed === 0 ? 0 : 1);
