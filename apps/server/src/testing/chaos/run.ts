import { diskFull } from './disk-full.ts';
import type { HostileSummary } from './hostile-input.ts';
import { hostileInput } from './hostile-input.ts';
import { postgresRestart } from './postgres-restart.ts';
import { redisRestart } from './redis-restart.ts';
import { slowSubscriber } from './slow-subscriber.ts';
import { stageCrash } from './stage-crash.ts';
import type { ChaosSummary } from './summary.ts';

const progress = (line: string) => process.stderr.write(`${line}\n`);
const flags = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
/** `--requests=N` makes the bad-input run shorter or longer than its 100,000. */
const requests = Number(
  /^--requests=(\d+)$/.exec(flags.find((f) => f.startsWith('--requests=')) ?? '')?.[1] ?? 100_000,
);

/**
 * `npm run chaos [scenario…]`: the full form of every chaos scenario (or the ones named), one JSON summary
 * line each on stdout; exits 1 when any fails.
 */
const SCENARIOS: Record<string, () => Promise<ChaosSummary | HostileSummary>> = {
  /** Paced at a rate two executors keep up with on a loaded machine: a backlog would hide recoveries. */
  'stage-crash': () => stageCrash({ roundsPerKind: 10, ratePerSecond: 20 }),
  /**
   * The scheduler alone, one process: each kill is an outage its cron slots and its poll stream must catch
   * up on, without a slot or a record version lost or doubled.
   */
  'scheduler-crash': () =>
    stageCrash({
      roundsPerKind: 10,
      kinds: ['scheduler'],
      layout: ['receiver', 'relay,router,executor', 'scheduler'],
      // One executor for the whole pipeline: a paced load it keeps up with.
      ratePerSecond: 20,
      name: 'scheduler-crash',
    }),
  'postgres-restart': () => postgresRestart({ rounds: 5 }),
  'redis-restart': () => redisRestart({ rounds: 6 }),
  'slow-subscriber': () =>
    slowSubscriber({
      windowMs: 30_000,
      ratePerSecond: 10,
      timeoutMs: 15_000,
      faultMs: 6_000,
      coolDownSeconds: 5,
    }),
  /** A minute's form of the one above: 2 s timeouts, 10 s windows. */
  'slow-subscriber-short': () =>
    slowSubscriber({
      windowMs: 10_000,
      ratePerSecond: 8,
      timeoutMs: 2_000,
      faultMs: 2_000,
      coolDownSeconds: 2,
    }),
  /** An embedded server's disk filled, then made read-only, three times each. */
  'disk-full': () => diskFull({ rounds: 3 }),
  'hostile-input': () => hostileInput({ requests, concurrency: 32, auditEvery: 200, progress }),
};

const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
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
