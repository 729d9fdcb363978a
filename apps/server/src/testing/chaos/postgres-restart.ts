import { startRedisServer } from '../redis-process.ts';
import { Ledger } from './ledger.ts';
import { type PrivatePostgres, startPrivatePostgres } from './private-postgres.ts';
import { timeToEffect } from './probe.ts';
import { settle } from './settle.ts';
import { StageCluster } from './stage-cluster.ts';
import { slowestMs, stageRecovery } from './stage-recovery.ts';
import { type ChaosSummary, summarize } from './summary.ts';
import { type Attempt, WebhookLoad } from './webhook-load.ts';
import { openWorld } from './world.ts';

export interface PostgresRestartOptions {
  readonly rounds: number;
  /** How long PostgreSQL stays down each round. */
  readonly downMs?: number;
  /** The bound on recovery: from PostgreSQL accepting connections to a new event's effect. */
  readonly recoveryBoundMs?: number;
  /** The processes by the stages each runs; one per stage by default. */
  readonly layout?: ReadonlyArray<string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * PostgreSQL restart mid-load, on a cluster of the scenario's own (stopping the shared one would disturb
 * everything else on the machine). While it is down every ingest attempt must be refused with 503 and a
 * Retry-After, never a 2xx; once it is back, every stage process, none restarted, must carry a new event
 * to its effect within the bound.
 */
export async function postgresRestart(options: PostgresRestartOptions): Promise<ChaosSummary> {
  const startedAt = Date.now();
  const downMs = options.downMs ?? 3_000;
  const bound = options.recoveryBoundMs ?? 5_000;
  let pg: PrivatePostgres | null = null;
  const redis = await startRedisServer();
  let cluster: StageCluster | null = null;
  let closeTarget: () => Promise<void> = async () => {};
  try {
    pg = await startPrivatePostgres();
    const database = pg;
    cluster = await StageCluster.start({
      databaseUrl: database.url,
      redisUrl: redis.url,
      layout: options.layout ?? ['receiver', 'relay', 'router', 'executor'],
      env: { SLUICE_RELAY_LEASE_SECONDS: '2', SLUICE_JOB_LEASE_SECONDS: '2' },
    });
    const live = cluster;
    const world = await openWorld(live);
    closeTarget = () => world.target.close();
    const ledger = new Ledger(live.sql, world.tenantId, world.triggers, world.target);
    const attempts: Attempt[] = [];
    const load = new WebhookLoad({
      receivers: () => live.receiverUrls(),
      connectionId: world.connectionId,
      secret: world.connectionSecret,
      concurrency: 6,
      updatesPerOrder: 2,
      maxAttempts: 200,
      onAttempt: (attempt) => attempts.push(attempt),
    });
    load.start();
    const problems: string[] = [];
    const recoveries: number[] = [];
    const perRound: Array<Record<string, unknown>> = [];
    const whileDown: Record<string, number> = {};
    let readyWhileDown = 0;
    for (let round = 0; round < options.rounds; round++) {
      await sleep(1_500 + Math.random() * 1_000);
      await database.stop();
      const downFrom = Date.now();
      const ready = await fetch(`${live.receiverUrls()[0]}/readyz`).catch(() => null);
      if (ready?.status !== 503) readyWhileDown++;
      await sleep(downMs);
      const downUntil = Date.now();
      await database.start();
      const upAt = Date.now();
      for (const attempt of attempts) {
        if (attempt.startedAt < downFrom || attempt.endedAt > downUntil) continue;
        const answer =
          attempt.status === 503 && attempt.retryAfter !== null ? '503+retry-after' : String(attempt.status);
        whileDown[answer] = (whileDown[answer] ?? 0) + 1;
      }
      const stages = await stageRecovery(live.sql, upAt, 30_000);
      const slowest = slowestMs(stages);
      const probe = await timeToEffect(load, world.target, 30_000);
      perRound.push({ stages_s: stages, new_event_effect_s: probe === null ? null : probe.effectMs / 1000 });
      recoveries.push(slowest ?? 30_000);
      if (slowest === null)
        problems.push(`round ${round}: a stage did no work within 30 s: ${JSON.stringify(stages)}`);
      else if (slowest > bound)
        problems.push(
          `round ${round}: a stage took ${slowest} ms to recover, over ${bound} ms: ${JSON.stringify(stages)}`,
        );
    }
    await load.stop();
    const { counts, drainMs } = await settle(ledger, load.acked, { timeoutMs: 60_000, quietMs: 2_000 });
    for (const [answer, n] of Object.entries(whileDown)) {
      if (answer !== '503+retry-after') problems.push(`${n} answers of ${answer} while PostgreSQL was down`);
    }
    if (readyWhileDown > 0) problems.push(`/readyz was not 503 while down in ${readyWhileDown} rounds`);
    const exited = live.slots.filter(
      (slot) => slot.current.child.exitCode !== null || slot.current.child.signalCode !== null,
    );
    if (exited.length > 0) problems.push(`stages exited: ${exited.map((slot) => slot.kind).join(', ')}`);
    return summarize(
      { scenario: 'postgres-restart', rounds: options.rounds, recoveries, startedAt },
      counts,
      {
        down_s: downMs / 1000,
        recovery_bound_s: bound / 1000,
        answers_while_down: whileDown,
        rounds: perRound,
        drain_s: drainMs / 1000,
        gave_up: load.gaveUp,
        statuses: Object.fromEntries(load.statuses),
        // A stall shows its cause only in the stages' own logs and in what the database is doing.
        ...(problems.length + counts.problems.length + counts.unfinished_jobs > 0
          ? { stage_logs: live.recentLogs(), database: await live.activity() }
          : {}),
      },
      problems,
    );
  } finally {
    await closeTarget();
    await cluster?.close();
    await redis.stop();
    await pg?.destroy();
  }
}
