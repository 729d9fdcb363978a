import { openConfig, type SecretBox, streamStatusFact } from '@sluice/control';
import { cronTickEmission, type Stores } from '@sluice/core';
import type { Ingestor, PlatformEvents } from '@sluice/ingest';
import type { ConnectorRegistry } from '@sluice/map';
import { CronTicker, PollPass, pollPassRunner, Scheduler, type SchedulerOptions } from '@sluice/receive';
import { CronConnections } from './cron-connection.ts';

export interface PollWorkersDeps {
  readonly store: Stores;
  readonly connectors: ConnectorRegistry;
  readonly ingestor: Ingestor;
  readonly platform: PlatformEvents;
  readonly secretBox: SecretBox;
  readonly now: () => Date;
  /** What poll handlers reach their sources with (the guarded fetch). */
  readonly fetch?: typeof fetch;
  readonly concurrency?: number;
  readonly maxSleepMs?: number;
  /** The lease of a claimed stream or schedule without a heartbeat (the components' default, 10 s). */
  readonly leaseMs?: number;
  readonly onError?: (error: unknown) => void;
  /** Told of every poll stream run as it starts (poll lag). */
  readonly onRun?: SchedulerOptions['onRun'];
}

/** The poll scheduler and the cron ticker of one process, wired to the poll pass and the ingestor. */
export class PollWorkers {
  readonly scheduler: Scheduler;
  readonly cron: CronTicker;

  constructor(deps: PollWorkersDeps) {
    const { store, now } = deps;
    const pass = new PollPass({
      connectors: deps.connectors,
      ingestor: deps.ingestor,
      events: store.events,
      configOf: (connection) => openConfig(deps.secretBox, connection.id, connection.config),
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
      now,
    });
    this.scheduler = new Scheduler({
      store: store.schedules,
      runner: pollPassRunner({
        pass,
        connection: async (tenantId, id) => store.connections.get(tenantId, id),
      }),
      now,
      ...(deps.concurrency === undefined ? {} : { concurrency: deps.concurrency }),
      ...(deps.maxSleepMs === undefined ? {} : { maxSleepMs: deps.maxSleepMs }),
      ...(deps.leaseMs === undefined ? {} : { leaseMs: deps.leaseMs }),
      statusFacts: async (change) => [await streamStatusFact(deps.platform, change, now())],
      ...(deps.onError === undefined ? {} : { onError: deps.onError }),
      ...(deps.onRun === undefined ? {} : { onRun: deps.onRun }),
    });
    const cronConnections = new CronConnections(store, deps.secretBox);
    this.cron = new CronTicker({
      store: store.cronSchedules,
      now,
      ...(deps.maxSleepMs === undefined ? {} : { maxSleepMs: deps.maxSleepMs }),
      ...(deps.leaseMs === undefined ? {} : { leaseMs: deps.leaseMs }),
      async emit(schedule, tick) {
        const connection = await cronConnections.of(schedule.tenant_id);
        const result = await deps.ingestor.ingest(connection, [cronTickEmission(tick)], {
          origin: 'schedule',
        });
        if (result.status === 'rejected') throw new Error(`cron.tick refused: ${result.rejection.message}`);
      },
      ...(deps.onError === undefined ? {} : { onError: deps.onError }),
    });
  }

  /** Wakes both loops (a stream or schedule became due). */
  wake(): void {
    this.scheduler.wake();
    this.cron.wake();
  }

  start(): void {
    this.scheduler.start();
    this.cron.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.scheduler.stop(), this.cron.stop()]);
  }
}
