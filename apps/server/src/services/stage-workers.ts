import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { RedisBus } from '@sluice/bus-redis';
import { type Bus, type ChangeFeed, InProcessBus, type Stores } from '@sluice/core';
import { Relay } from '@sluice/relay';
import { cesqlHook, Router } from '@sluice/route';
import type { Config } from '../config.ts';
import type { Metrics } from './metrics.ts';

export interface StageWorkersOptions {
  readonly config: Pick<Config, 'workers' | 'redisUrl' | 'relayIdleMs' | 'relayLeaseMs'>;
  readonly store: Stores;
  readonly changes: ChangeFeed;
  readonly metrics: Metrics;
  readonly log: { warn(object: object, message: string): void };
  /** The bus to use instead of the one the config names (tests). */
  readonly bus?: Bus;
}

/** A name unique to this process and start, for relay leases and the router's consumer. */
const processName = (): string => `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

/**
 * The relay and router of one process, as `SLUICE_WORKERS` asks, over the bus the config names: Redis
 * Streams with `SLUICE_REDIS_URL`, else the in-process bus. Started after the HTTP server listens and
 * stopped before the store closes.
 */
export class StageWorkers {
  readonly bus: Bus;
  readonly relay: Relay | null;
  readonly router: Router | null;

  constructor(options: StageWorkersOptions) {
    const { config, store, metrics, log } = options;
    const name = processName();
    this.bus =
      options.bus ??
      (config.redisUrl === null ? new InProcessBus() : new RedisBus({ connection: config.redisUrl }));
    this.relay = config.workers.includes('relay')
      ? new Relay({
          outbox: store.outbox,
          bus: this.bus,
          owner: `relay-${name}`,
          idleMs: config.relayIdleMs,
          leaseMs: config.relayLeaseMs,
          onPass: (pass) => {
            if (pass.published > 0) metrics.relayed.inc({ outcome: 'published' }, pass.published);
            if (pass.quiet > 0) metrics.relayed.inc({ outcome: 'quiet' }, pass.quiet);
            if (pass.lagMs !== null) metrics.relayLag.observe(pass.lagMs / 1000);
          },
          onError: (error) => log.warn({ err: error }, 'relay pass failed; retrying after a backoff'),
        })
      : null;
    if (this.relay !== null) metrics.watchOutbox(() => store.outbox.pendingCount());
    this.router = config.workers.includes('router')
      ? new Router({
          bus: this.bus,
          triggers: store.triggers,
          jobs: store.jobs,
          outbox: store.outbox,
          tenancy: store.tenancy,
          deadLetters: store.deadLetters,
          connections: store.connections,
          changes: options.changes,
          sql: cesqlHook,
          consumer: `router-${name}`,
          onBatch: (stats) => {
            // The acknowledged connections can be claimed again: a relay in this process looks now.
            if (stats.acknowledged > 0) this.relay?.acknowledged();
            if (stats.matched > 0) metrics.routed.inc({ outcome: 'matched' }, stats.matched);
            const unmatched = stats.dropped + stats.deadLettered;
            if (unmatched > 0) metrics.routed.inc({ outcome: 'unmatched' }, unmatched);
            if (stats.quiet > 0) metrics.routed.inc({ outcome: 'quiet' }, stats.quiet);
            if (stats.unreadable > 0) metrics.routed.inc({ outcome: 'unreadable' }, stats.unreadable);
            if (stats.dropped > 0) metrics.unmatched.inc({ disposition: 'dropped' }, stats.dropped);
            if (stats.deadLettered > 0)
              metrics.unmatched.inc({ disposition: 'dead_lettered' }, stats.deadLettered);
            if (stats.jobsCreated > 0) metrics.jobsCreated.inc(stats.jobsCreated);
          },
          onRejected: (id, problems) =>
            log.warn(
              { trigger_id: id, problems },
              'trigger left out of the router: its definition does not compile',
            ),
          onError: (error) => log.warn({ err: error }, 'router: a batch or reload failed; it is retried'),
        })
      : null;
  }

  /** The router first (it loads every trigger before it reads), then the relay. */
  async start(): Promise<void> {
    await this.router?.start();
    this.relay?.start();
  }

  /** Something was appended in this process: the relay looks now instead of after its idle wait. */
  nudge(): void {
    this.relay?.nudge();
  }

  /** Stops the relay, then the router (its batches in flight finish), then closes the bus. */
  async stop(): Promise<void> {
    await this.relay?.stop();
    await this.router?.stop();
    await this.bus.close();
  }
}
