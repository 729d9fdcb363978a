import { TEST_DATABASE_URL } from '@sluice/store/testing';
import { Redis } from 'ioredis';
import { startRedisServer } from '../redis-process.ts';
import { Ledger } from './ledger.ts';
import { settle } from './settle.ts';
import { StageCluster } from './stage-cluster.ts';
import { slowestMs, stageRecovery } from './stage-recovery.ts';
import { type ChaosSummary, summarize } from './summary.ts';
import { WebhookLoad } from './webhook-load.ts';
import { openWorld } from './world.ts';

export interface RedisRestartOptions {
  /** Faults, alternating: FLUSHALL, then a restart of redis-server (down `downMs`), and so on. */
  readonly rounds: number;
  readonly downMs?: number;
  /** The processes by the stages each runs; one per stage by default. */
  readonly layout?: ReadonlyArray<string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const LEASE_SECONDS = 2;

/**
 * Redis (the bus) flushed or restarted mid-stream, on a redis-server of the scenario's own: the relay
 * sends again what the bus lost once its lease lapses, the routers catch up, and every envelope is routed
 * exactly once. Each stage's recovery is reported; the scenario fails only on a stage that never
 * recovers (30 s), or on a loss or a duplicate.
 */
export async function redisRestart(options: RedisRestartOptions): Promise<ChaosSummary> {
  const startedAt = Date.now();
  const downMs = options.downMs ?? 2_000;
  let redis = await startRedisServer();
  let cluster: StageCluster | null = null;
  let closeTarget: () => Promise<void> = async () => {};
  try {
    cluster = await StageCluster.start({
      databaseUrl: TEST_DATABASE_URL,
      redisUrl: redis.url,
      layout: options.layout ?? ['receiver', 'relay', 'router', 'router', 'executor'],
      env: {
        SLUICE_RELAY_LEASE_SECONDS: String(LEASE_SECONDS),
        SLUICE_JOB_LEASE_SECONDS: String(LEASE_SECONDS),
      },
    });
    const live = cluster;
    const world = await openWorld(live);
    closeTarget = () => world.target.close();
    const ledger = new Ledger(live.sql, world.tenantId, world.triggers, world.target);
    const load = new WebhookLoad({
      receivers: () => live.receiverUrls(),
      connectionId: world.connectionId,
      secret: world.connectionSecret,
      concurrency: 4,
      updatesPerOrder: 2,
      maxAttempts: 100,
    });
    load.start();
    const problems: string[] = [];
    const recoveries: number[] = [];
    const perRound: Array<Record<string, unknown>> = [];
    for (let round = 0; round < options.rounds; round++) {
      await sleep(1_500 + Math.random() * 1_000);
      const fault = round % 2 === 0 ? 'flushall' : 'restart';
      if (fault === 'flushall') {
        const admin = new Redis(redis.url);
        await admin.flushall();
        admin.disconnect();
      } else {
        await redis.stop();
        await sleep(downMs);
        const port = redis.port;
        // The port may take a moment to be free again; a few tries, a second apart.
        for (let attempt = 1; ; attempt++) {
          try {
            redis = await startRedisServer({ port });
            break;
          } catch (error) {
            if (attempt >= 5) throw error;
            await sleep(1_000);
          }
        }
      }
      const faultEnd = Date.now();
      const stages = await stageRecovery(live.sql, faultEnd, 30_000);
      const slowest = slowestMs(stages);
      perRound.push({ fault, stages_s: stages });
      recoveries.push(slowest ?? 30_000);
      if (slowest === null)
        problems.push(
          `round ${round} (${fault}): a stage did no work within 30 s: ${JSON.stringify(stages)}`,
        );
    }
    await load.stop();
    const { counts, drainMs } = await settle(ledger, load.acked, { timeoutMs: 90_000, quietMs: 3_000 });
    const [pending] = await live.sql.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM outbox WHERE relayed_at IS NULL',
    );
    if (Number(pending?.n) > 0) problems.push(`${pending?.n} outbox rows never acknowledged`);
    const exited = live.slots.filter(
      (slot) => slot.current.child.exitCode !== null || slot.current.child.signalCode !== null,
    );
    if (exited.length > 0) problems.push(`stages exited: ${exited.map((slot) => slot.kind).join(', ')}`);
    if (load.unexpected.length > 0)
      problems.push(`refused valid deliveries: ${load.unexpected.slice(0, 3).join('; ')}`);
    return summarize(
      { scenario: 'redis-restart', rounds: options.rounds, recoveries, startedAt },
      counts,
      {
        down_s: downMs / 1000,
        rounds: perRound,
        drain_s: drainMs / 1000,
        gave_up: load.gaveUp,
        statuses: Object.fromEntries(load.statuses),
      },
      problems,
    );
  } finally {
    await closeTarget();
    await cluster?.close();
    await redis.stop();
  }
}
