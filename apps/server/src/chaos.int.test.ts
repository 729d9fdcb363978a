import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diskFull } from './testing/chaos/disk-full.ts';
import { hostileInput } from './testing/chaos/hostile-input.ts';
import { postgresRestart } from './testing/chaos/postgres-restart.ts';
import { redisRestart } from './testing/chaos/redis-restart.ts';
import { stageCrash } from './testing/chaos/stage-crash.ts';
import type { ChaosSummary } from './testing/chaos/summary.ts';

/**
 * The short form of `npm run chaos`: each scenario once or twice, small enough for every test run. Each
 * prints its JSON summary and fails on any loss, double effect or broken bound it reports.
 */
describe('chaos, short form', () => {
  const report = (
    summary: Pick<ChaosSummary, 'passed' | 'problems'> & { details?: ChaosSummary['details'] },
  ) => {
    process.stdout.write(`# ${JSON.stringify(summary)}\n`);
    const logs = summary.details?.stage_logs;
    assert.deepEqual(
      summary.problems,
      [],
      logs === undefined
        ? undefined
        : `${summary.problems.join('; ')}\nstage logs: ${JSON.stringify(logs, null, 1)}`,
    );
    assert.equal(summary.passed, true);
  };

  // Two processes, so that the short form starts quickly on a busy machine: the receiver, and the relay,
  // router and executor together; killing the second kills all three of its stages at once.
  const layout = ['receiver', 'relay,router,executor'];

  it('kill -9 of the receiver and of the relay + router + executor + scheduler loses and doubles nothing, cron slots and polled records included', async () => {
    report(
      await stageCrash({
        roundsPerKind: 1,
        kinds: ['receiver', 'executor'],
        // The scheduler beside the executor: its kill is also a scheduler's (a cron schedule, a poll stream).
        layout: ['receiver', 'relay,router,executor,scheduler'],
        concurrency: 2,
        drainTimeoutMs: 45_000,
      }),
    );
  });

  it('a PostgreSQL restart: 503 + Retry-After while down, every stage back within 5 s', async () => {
    report(await postgresRestart({ rounds: 1, layout }));
  });

  it('a Redis FLUSHALL and restart: every envelope routed exactly once', async () => {
    report(await redisRestart({ rounds: 2, layout }));
  });

  it('an embedded disk filled, then read-only: 503 + Retry-After and /readyz 503, back without a restart', async (t) => {
    // 15 s rather than the full run's 10: here it shares the machine with the other test files.
    const summary = await diskFull({ rounds: 1, downMs: 2_000, recoveryBoundMs: 15_000 });
    if (summary.skipped !== undefined) return t.skip(summary.skipped);
    report(summary);
  });

  it('1,500 hostile requests: no 5xx, no crash, no transport error, no rows for a rejection', async () => {
    report(await hostileInput({ requests: 1_500 }));
  });
});
