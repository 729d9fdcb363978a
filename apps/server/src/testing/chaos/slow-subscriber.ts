import { DEFAULT_BREAKER } from '@sluice/execute';
import { TEST_DATABASE_URL } from '@sluice/store/testing';
import { startRedisServer } from '../redis-process.ts';
import { startWebhookTarget, type WebhookTarget } from '../webhook-target.ts';
import { Ledger } from './ledger.ts';
import { settle } from './settle.ts';
import { StageCluster as Cluster, type StageCluster } from './stage-cluster.ts';
import { type ChaosSummary, summarize } from './summary.ts';
import { WebhookLoad } from './webhook-load.ts';
import { openWorld } from './world.ts';

export interface SlowSubscriberOptions {
  /** Each throughput window: the healthy subscriber alone, then beside the bad one. */
  readonly windowMs: number;
  /** Events per second to the healthy subscriber, the same in both windows; as many again to the bad one. */
  readonly ratePerSecond: number;
  /** The bad trigger's delivery timeout; the bad subscriber's hang outlasts it. */
  readonly timeoutMs: number;
  /** How long the bad subscriber refuses connections, and answers 500, in each turn of its cycle. */
  readonly faultMs: number;
  /** The executors' breaker cool-down (SLUICE_BREAKER_COOLDOWN_SECONDS). */
  readonly coolDownSeconds: number;
  /** SLUICE_EXECUTOR_TARGET_CONCURRENCY; default a quarter of the executor's slots. */
  readonly targetConcurrency?: number;
  /** The longest the scenario waits for the backlog to drain after the bad subscriber recovers. */
  readonly drainTimeoutMs?: number;
}

/** The ratio over which the bad subscriber cost the healthy one too much. */
const MAX_COST = 0.1;
/** Orders over `SPLIT` go to the bad subscriber only, those under it to the healthy one only. */
const SPLIT = 999;
/** The one executor process's slots (so a quarter, 2, per target). */
const EXECUTOR_SLOTS = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Effects (first deliveries of a webhook-id) at the target within [from, from + ms), per second. */
function perSecond(target: WebhookTarget, from: number, ms: number): number {
  const n = target.deliveries.filter((d) => d.effect && d.at >= from && d.at < from + ms).length;
  return Math.round((n * 100_000) / ms) / 100;
}

/** The fewest effects per second at the target over any `span` ms within [from, from + ms), in 1 s steps. */
function worstPerSecond(target: WebhookTarget, from: number, ms: number, span = 5_000): number {
  let worst = Number.POSITIVE_INFINITY;
  for (let start = from; start + span <= from + ms; start += 1_000)
    worst = Math.min(worst, perSecond(target, start, span));
  return Number.isFinite(worst) ? worst : 0;
}

/** The most requests the target took in any one second from `from` on. */
function peakPerSecond(target: WebhookTarget, from: number): number {
  const times = [...target.deliveries, ...target.failed]
    .map((d) => d.at)
    .filter((at) => at >= from)
    .sort((a, b) => a - b);
  let peak = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= 1_000) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

/**
 * Turns the bad subscriber through its faults until `until`: a hang past the delivery timeout, refused
 * connections, then 500s; answers how many turns it made.
 */
async function misbehave(bad: WebhookTarget, options: SlowSubscriberOptions, until: number) {
  let turns = 0;
  while (Date.now() < until) {
    turns++;
    bad.behave('/bad', () => 'hold');
    await sleep(Math.min(options.timeoutMs + 500, Math.max(0, until - Date.now())));
    await bad.refuse();
    await sleep(Math.min(options.faultMs, Math.max(0, until - Date.now())));
    bad.behave('/bad', () => ({ status: 500 }));
    await bad.listen();
    await sleep(Math.min(options.faultMs, Math.max(0, until - Date.now())));
  }
  return turns;
}

/**
 * A slow or dead subscriber: two http triggers of one tenant, one to a healthy subscriber and one to a bad
 * one, over different orders (single-flight is per entity, so one entity's jobs are ordered whatever
 * their targets). The healthy subscriber's deliveries per second are counted over a window with the
 * bad trigger idle, then over one as long while the bad subscriber hangs, refuses and answers 500, under
 * the same paced load; the second may be at most 10 % lower. Its circuit must open (job attempts
 * postponed `circuit open (open)`), and once it recovers, the redrive must stay under the breaker's pace:
 * at most (redrive rate + burst) per executor and second, plus the probe.
 */
export async function slowSubscriber(options: SlowSubscriberOptions): Promise<ChaosSummary> {
  const startedAt = Date.now();
  const redis = await startRedisServer();
  let cluster: StageCluster | null = null;
  const closers: Array<() => Promise<void>> = [];
  try {
    cluster = await Cluster.start({
      databaseUrl: TEST_DATABASE_URL,
      redisUrl: redis.url,
      layout: ['receiver', 'relay,router', 'executor'],
      env: {
        SLUICE_EXECUTOR_CONCURRENCY: String(EXECUTOR_SLOTS),
        SLUICE_BREAKER_COOLDOWN_SECONDS: String(options.coolDownSeconds),
        SLUICE_EXECUTOR_TARGET_CONCURRENCY: String(options.targetConcurrency ?? EXECUTOR_SLOTS / 4),
      },
    });
    const live = cluster;
    let bad: WebhookTarget | null = null;
    const world = await openWorld(live, {
      triggers: async (secret) => {
        bad = await startWebhookTarget(secret);
        return [
          {
            name: 'healthy subscriber',
            eventTypes: ['order.*'],
            condition: { path: 'payload.total', op: 'lt', value: SPLIT },
            path: '/healthy',
            matches: (event) => event.total < SPLIT,
          },
          {
            name: 'bad subscriber',
            eventTypes: ['order.*'],
            condition: { path: 'payload.total', op: 'gt', value: SPLIT },
            path: '/bad',
            target: bad,
            matches: (event) => event.total > SPLIT,
            retry: { timeout_ms: options.timeoutMs },
          },
        ];
      },
    });
    closers.push(() => world.target.close());
    const badTarget = bad as WebhookTarget | null;
    if (badTarget === null) throw new Error('the bad subscriber did not start');
    closers.push(() => badTarget.close());
    const load = (total: () => number) =>
      new WebhookLoad({
        receivers: () => live.receiverUrls(),
        connectionId: world.connectionId,
        secret: world.connectionSecret,
        concurrency: 8,
        updatesPerOrder: 2,
        maxAttempts: 60,
        ratePerSecond: options.ratePerSecond,
        total,
      });
    const healthyLoad = load(() => Math.random() * 100);
    const badLoad = load(() => SPLIT + 1 + Math.random() * 100);
    const problems: string[] = [];

    // The healthy subscriber alone, after a warm-up of a few seconds.
    healthyLoad.start();
    await sleep(3_000);
    const aloneFrom = Date.now();
    await sleep(options.windowMs);
    const alone = perSecond(world.target, aloneFrom, options.windowMs);
    const aloneWorst = worstPerSecond(world.target, aloneFrom, options.windowMs);

    // Beside the bad one: its load starts, it misbehaves through the whole window.
    badLoad.start();
    const besideFrom = Date.now();
    const turns = await misbehave(badTarget, options, besideFrom + options.windowMs);
    // Its slots' worth of deliveries still in flight may land after the window; give them the hang's time.
    await sleep(1_000);
    const beside = perSecond(world.target, besideFrom, options.windowMs);
    const besideWorst = worstPerSecond(world.target, besideFrom, options.windowMs);
    await Promise.all([healthyLoad.stop(), badLoad.stop()]);

    // The bad subscriber recovers; what waited for it drains at the breaker's pace.
    badTarget.behave('/bad', () => ({ delayMs: 0 }));
    const recoveredAt = Date.now();
    const acked = new Map([...healthyLoad.acked, ...badLoad.acked]);
    const ledger = new Ledger(live.sql, world.tenantId, world.triggers, world.target);
    const { counts, drainMs } = await settle(ledger, acked, {
      timeoutMs: options.drainTimeoutMs ?? 180_000,
      quietMs: 2_000,
    });
    const redrivePeak = peakPerSecond(badTarget, recoveredAt);
    const redriveBound = DEFAULT_BREAKER.redriveRatePerSecond + DEFAULT_BREAKER.redriveBurst + 1;

    const [postponed] = await live.sql.query<{ open: string; busy: string; sent: string }>(
      `SELECT count(*) FILTER (WHERE a.error LIKE 'circuit open (open)%')::text AS open,
              count(*) FILTER (WHERE a.error LIKE 'target busy%')::text AS busy,
              count(*) FILTER (WHERE a.error IS NULL OR a.error NOT LIKE '%: not sent')::text AS sent
         FROM job_attempts a JOIN jobs j ON j.id = a.job_id
        WHERE a.tenant_id = $1 AND j.trigger_id = $2`,
      [world.tenantId, world.triggers[1]?.id ?? ''],
    );
    const opened = Number(postponed?.open ?? 0);
    const cost = alone === 0 ? 1 : Math.max(0, Math.round((1 - beside / alone) * 1000) / 1000);
    if (alone === 0) problems.push('the healthy subscriber took nothing while alone');
    if (cost > MAX_COST)
      problems.push(`the bad subscriber cost the healthy one ${cost * 100} % (bound ${MAX_COST * 100} %)`);
    // A stall caught up before the window ends costs nothing over the window: the worst 5 s shows it.
    const stall =
      aloneWorst === 0 ? 1 : Math.max(0, Math.round((1 - besideWorst / aloneWorst) * 1000) / 1000);
    if (stall > MAX_COST)
      problems.push(
        `the worst 5 s beside the bad subscriber were ${stall * 100} % below the worst 5 s alone (bound ${MAX_COST * 100} %)`,
      );
    if (opened === 0) problems.push('the circuit of the bad subscriber never opened');
    if (redrivePeak > redriveBound)
      problems.push(`the redrive reached ${redrivePeak}/s (bound ${redriveBound}/s): a burst, not paced`);
    for (const l of [healthyLoad, badLoad])
      if (l.unexpected.length > 0)
        problems.push(`refused valid deliveries: ${l.unexpected.slice(0, 3).join('; ')}`);
    return summarize(
      { scenario: 'slow-subscriber', rounds: turns, recoveries: [drainMs], startedAt },
      counts,
      {
        healthy_per_s: { alone, beside, worst_5s_alone: aloneWorst, worst_5s_beside: besideWorst },
        cost_ratio: cost,
        worst_5s_cost_ratio: stall,
        window_s: options.windowMs / 1000,
        rate_per_s: options.ratePerSecond,
        bad_timeout_s: options.timeoutMs / 1000,
        breaker_cool_down_s: options.coolDownSeconds,
        bad_attempts: {
          sent: Number(postponed?.sent ?? 0),
          circuit_open: opened,
          target_busy: Number(postponed?.busy ?? 0),
        },
        bad_refused_500: badTarget.failed.length,
        redrive_peak_per_s: redrivePeak,
        redrive_bound_per_s: redriveBound,
        drain_s: drainMs / 1000,
        executor_slots: EXECUTOR_SLOTS,
        target_slots: options.targetConcurrency ?? EXECUTOR_SLOTS / 4,
      },
      problems,
    );
  } finally {
    for (const close of closers.reverse()) await close();
    await cluster?.close();
    await redis.stop();
  }
}
