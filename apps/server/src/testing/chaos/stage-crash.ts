import { TEST_DATABASE_URL } from '@sluice/store/testing';
import { startRedisServer } from '../redis-process.ts';
import { type ChaosSchedule, countTicks, endSchedule, openSchedule, ScheduleWatch } from './cron-ledger.ts';
import { JobWatch } from './job-watch.ts';
import { Ledger } from './ledger.ts';
import {
  type ChaosPollStream,
  countPoll,
  openPollStream,
  PollWatch,
  pollCaughtUp,
  SourceChanges,
} from './poll-ledger.ts';
import { settle } from './settle.ts';
import { StageCluster as Cluster, type StageCluster, type StageKind } from './stage-cluster.ts';
import { type ChaosSummary, recoveryOf, summarize } from './summary.ts';
import { WebhookLoad } from './webhook-load.ts';
import { openWorld } from './world.ts';

export interface StageCrashOptions {
  /** kill -9 rounds of each stage kind. */
  readonly roundsPerKind: number;
  readonly kinds?: ReadonlyArray<StageKind>;
  /** Processes of each stage (two keep the pipeline moving while one is down). */
  readonly processesPerKind?: number;
  /** Instead: the processes by the stages each runs; killing one kills every stage it runs. */
  readonly layout?: ReadonlyArray<string>;
  /** Load: senders at once. */
  readonly concurrency?: number;
  /** Load: events per second, paced; absent: as fast as the senders go. */
  readonly ratePerSecond?: number;
  /** The scenario's name in its summary; default `stage-crash`. */
  readonly name?: string;
  /** The longest a scenario waits for the pipeline to drain after the last round (default 10 min). */
  readonly drainTimeoutMs?: number;
  /** The longest the drain may go without an effect or a finished job before it counts as stuck (60 s). */
  readonly drainStallMs?: number;
}

const LEASE_SECONDS = 2;
/** The schedulers' lease on a stream or cron schedule (the default): a killed one's is taken after it. */
const SCHEDULER_LEASE_SECONDS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Shuffled in place (Fisher–Yates). */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Resolves once `check` holds, or after `ms`; answers whether it held. */
async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

/**
 * Crash of any stage: signed webhooks load a receiver / relay / router / executor cluster while, round
 * after round, one process of a randomly ordered kind is SIGKILLed at a random moment and started again.
 * Recovery is the time from the kill until the restarted process listens and the target has seen a new
 * effect since.
 */
export async function stageCrash(options: StageCrashOptions): Promise<ChaosSummary> {
  const startedAt = Date.now();
  const kinds = options.kinds ?? (['receiver', 'relay', 'router', 'executor', 'scheduler'] as const);
  const per = options.processesPerKind ?? 2;
  const withScheduler =
    options.layout === undefined || options.layout.some((k) => k.split(',').includes('scheduler'));
  const redis = await startRedisServer();
  let cluster: StageCluster | null = null;
  let closeTarget: () => Promise<void> = async () => {};
  let poll: ChaosPollStream | null = null;
  try {
    cluster = await Cluster.start({
      databaseUrl: TEST_DATABASE_URL,
      redisUrl: redis.url,
      ...(options.layout === undefined
        ? { counts: { receiver: per, relay: per, router: per, executor: per, scheduler: per } }
        : { layout: options.layout }),
      env: {
        SLUICE_RELAY_LEASE_SECONDS: String(LEASE_SECONDS),
        SLUICE_JOB_LEASE_SECONDS: String(LEASE_SECONDS),
        SLUICE_SCHEDULER_LEASE_SECONDS: String(SCHEDULER_LEASE_SECONDS),
        SLUICE_EXECUTOR_CONCURRENCY: '8',
      },
    });
    const live = cluster;
    const world = await openWorld(live);
    closeTarget = () => world.target.close();
    const ledger = new Ledger(live.sql, world.tenantId, world.triggers, world.target);
    const watch = new JobWatch(live.sql, world.tenantId);
    // A cron schedule every second beside the load, when schedulers run: each slot ticked once.
    const cron: ChaosSchedule | null = withScheduler
      ? await openSchedule(live, world.auth, world.target, world.targetSecret, 1)
      : null;
    const scheduleWatch = cron === null ? null : new ScheduleWatch(live.sql, cron.id);
    scheduleWatch?.start();
    // And a poll stream on a local source whose records change all along: each version stored once.
    poll = withScheduler ? await openPollStream(live, world.auth) : null;
    const changes = poll === null ? null : new SourceChanges(poll.source, 400);
    const pollWatch =
      poll === null ? null : new PollWatch(live.sql, world.tenantId, poll, SCHEDULER_LEASE_SECONDS * 1000);
    changes?.start();
    pollWatch?.start();
    const load = new WebhookLoad({
      receivers: () => live.receiverUrls(),
      connectionId: world.connectionId,
      secret: world.connectionSecret,
      concurrency: options.concurrency ?? 8,
      updatesPerOrder: 2,
      maxAttempts: 60,
      ...(options.ratePerSecond === undefined ? {} : { ratePerSecond: options.ratePerSecond }),
    });
    watch.start();
    load.start();
    // The first kill must find the schedulers at work: a tick delivered, the stream polled (a scheduler
    // sees a new schedule or stream within its 5 s sleep).
    if (cron !== null) await waitFor(() => world.target.deliveries.some((d) => d.path === cron.path), 30_000);
    if (poll !== null) {
      const source = poll.source;
      await waitFor(() => source.requests > 1, 30_000);
    }
    const schedule = shuffle(
      kinds.flatMap((kind) => Array.from({ length: options.roundsPerKind }, () => kind)),
    );
    const recoveries: number[] = [];
    const perKind: Record<string, { rounds: number; recovery_s: { max: number; mean: number } }> = {};
    const byKind = new Map<string, number[]>();
    const problems: string[] = [];
    let executorOutageMs = 0;
    let schedulerOutageMs = 0;
    for (const kind of schedule) {
      await sleep(300 + Math.random() * 1_500);
      const slots = live.of(kind);
      const slot = slots[Math.floor(Math.random() * slots.length)];
      if (slot === undefined) continue;
      const killedAt = Date.now();
      await live.kill(slot);
      await sleep(Math.random() * 500);
      await live.restart(slot);
      // With no executor left running, a lapsed lease waits for the restart: that time does not count.
      if (slot.kind.split(',').includes('executor') && live.of('executor').length === 1) {
        executorOutageMs = Math.max(executorOutageMs, Date.now() - killedAt);
      }
      if (slot.kind.split(',').includes('scheduler') && live.of('scheduler').length === 1) {
        schedulerOutageMs = Math.max(schedulerOutageMs, Date.now() - killedAt);
      }
      // A scheduler has recovered once a new tick took effect; any other stage, once any new effect did.
      const ticks = () => world.target.deliveries.filter((d) => d.path === cron?.path).length;
      const effects = kind === 'scheduler' ? ticks : () => world.target.deliveries.length;
      const before = effects();
      // A scheduler killed mid-tick holds its slot until its lease lapses: that long more.
      const withinS = 30 + (kind === 'scheduler' ? SCHEDULER_LEASE_SECONDS : 0);
      const moved = await waitFor(() => effects() > before, withinS * 1000);
      if (!moved) problems.push(`no effect within ${withinS} s of restarting a ${kind}`);
      const recovery = Date.now() - killedAt;
      recoveries.push(recovery);
      byKind.set(kind, [...(byKind.get(kind) ?? []), recovery]);
    }
    await load.stop();
    changes?.stop();
    await scheduleWatch?.stop();
    if (cron !== null) await endSchedule(live.sql, cron);
    // The poller must commit every change the source made (at a pass a second, a few passes).
    const caughtUpAt = Date.now();
    if (poll !== null && !(await pollCaughtUp(poll, 60_000)))
      problems.push(
        `the poll stream had not committed every change 60 s after the last round (asked from ${poll.source.watermark}, last change ${poll.source.lastSeq})`,
      );
    const pollCatchUpMs = Date.now() - caughtUpAt;
    await pollWatch?.stop();
    const { counts, drainMs } = await settle(ledger, load.acked, {
      timeoutMs: options.drainTimeoutMs ?? 600_000,
      stallMs: options.drainStallMs ?? 60_000,
      quietMs: 3_000,
    });
    await watch.stop();
    const ticks = cron === null ? null : await countTicks(live.sql, world.tenantId, cron, world.target);
    if (ticks !== null) problems.push(...ticks.problems);
    const pollCounts =
      poll === null || pollWatch === null ? null : await countPoll(live.sql, world.tenantId, poll, pollWatch);
    if (pollCounts !== null) problems.push(...pollCounts.problems);
    // A schedule past its slot is ticked by the next round of any scheduler, or, when the one that claimed
    // it died mid-tick, once its lease lapses: past the lease, a few rounds (at most 5 s apart), and the
    // longest time no scheduler ran, it is stuck. The same for the poll stream past its next run.
    const scheduleBound = SCHEDULER_LEASE_SECONDS + 10 + schedulerOutageMs / 1000;
    if (scheduleWatch !== null && scheduleWatch.maxOverdueSeconds > scheduleBound)
      problems.push(
        `the schedule stayed ${scheduleWatch.maxOverdueSeconds} s overdue (bound ${scheduleBound} s)`,
      );
    if (pollWatch !== null && pollWatch.maxOverdueSeconds > scheduleBound)
      problems.push(
        `the poll stream stayed ${pollWatch.maxOverdueSeconds} s overdue (bound ${scheduleBound} s)`,
      );
    for (const [kind, times] of byKind)
      perKind[kind] = { rounds: times.length, recovery_s: recoveryOf(times) };
    if (watch.maxRunningPerEntity > 1)
      problems.push(`${watch.maxRunningPerEntity} running jobs of one entity`);
    // A lapsed lease is reclaimed by the next claim of any executor: past a few polls, and past the longest
    // time no executor ran at all, it is stuck.
    const leaseBound = 10 + executorOutageMs / 1000;
    if (watch.maxPastLeaseSeconds > leaseBound)
      problems.push(`a job stayed ${watch.maxPastLeaseSeconds} s past its lease (bound ${leaseBound} s)`);
    if (load.unexpected.length > 0)
      problems.push(`refused valid deliveries: ${load.unexpected.slice(0, 3).join('; ')}`);
    return summarize(
      { scenario: options.name ?? 'stage-crash', rounds: schedule.length, recoveries, startedAt },
      counts,
      {
        per_kind: perKind,
        processes: live.slots.map((slot) => slot.kind),
        drain_s: drainMs / 1000,
        gave_up: load.gaveUp,
        statuses: Object.fromEntries(load.statuses),
        max_running_per_entity: watch.maxRunningPerEntity,
        max_past_lease_s: Math.round(watch.maxPastLeaseSeconds * 100) / 100,
        no_executor_s: executorOutageMs / 1000,
        lease_s: LEASE_SECONDS,
        ...(ticks === null
          ? {}
          : {
              ticks: { ...ticks, problems: undefined },
              schedule_max_overdue_s: Math.round((scheduleWatch?.maxOverdueSeconds ?? 0) * 100) / 100,
              no_scheduler_s: schedulerOutageMs / 1000,
              scheduler_lease_s: SCHEDULER_LEASE_SECONDS,
            }),
        ...(pollCounts === null
          ? {}
          : {
              poll: {
                ...pollCounts,
                problems: undefined,
                lease_holders: pollWatch?.holders.size ?? 0,
                max_overdue_s: Math.round((pollWatch?.maxOverdueSeconds ?? 0) * 100) / 100,
                catch_up_s: pollCatchUpMs / 1000,
              },
            }),
      },
      problems,
    );
  } finally {
    await poll?.source.close();
    await closeTarget();
    await cluster?.close();
    await redis.stop();
  }
}
