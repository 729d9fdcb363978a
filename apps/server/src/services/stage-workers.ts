import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { SecretBox } from '@sluice/control';
import {
  type AppendInput,
  type Bus,
  type ChangeFeed,
  type ClaimedJob,
  InProcessBus,
  type PlatformEventInput,
  type Stores,
} from '@sluice/core';
import {
  type AnyActionRunner,
  actionKind,
  CircuitBreaker,
  ConnectorActionRunner,
  type ConnectorActionRunnerOptions,
  Executor,
  HandlerActionRunner,
  type HandlerActionRunnerOptions,
  HttpActionRunner,
  HttpDeliverer,
  type OperatorRegistry,
  type PlanPolicy,
  PolicedRunner,
} from '@sluice/execute';
import { Relay } from '@sluice/relay';
import { cesqlHook, Router } from '@sluice/route';
import type { Config } from '../config.ts';
import type { Metrics } from './metrics.ts';

export interface StageWorkersOptions {
  readonly config: Pick<
    Config,
    | 'workers'
    | 'redisUrl'
    | 'relayIdleMs'
    | 'relayLeaseMs'
    | 'allowPrivateTargets'
    | 'jobLeaseMs'
    | 'executorConcurrency'
    | 'tenantConcurrency'
    | 'executorTargetConcurrency'
    | 'breakerCoolDownMs'
    | 'jobResultTtlMs'
    | 'databaseUrl'
  >;
  readonly store: Stores;
  readonly changes: ChangeFeed;
  readonly metrics: Metrics;
  readonly log: StageLog;
  /** Opens trigger secrets (http actions) sealed to the trigger id. */
  readonly secretBox: Pick<SecretBox, 'open'>;
  /** Prepares the executor's receipts (`PlatformEvents.fact`). */
  readonly fact: (tenantId: string, event: PlatformEventInput) => Promise<AppendInput>;
  /**
   * What the `connector` and `handler` runners need: the process's connectors, a connection with its sealed
   * config opened, the registered operators, and how follow-up emissions are ingested. Without it only
   * `http` actions run (others are dead-lettered with "no runner").
   */
  readonly actions?: {
    readonly connectors: ConnectorActionRunnerOptions['connectors'] & {
      list(): ReadonlyArray<{ readonly id: string }>;
    };
    readonly connectionFor: ConnectorActionRunnerOptions['connectionFor'];
    readonly operators: OperatorRegistry;
    readonly emit: HandlerActionRunnerOptions['emit'];
  };
  /**
   * Each tenant's allowed action kinds and dry-run mode (control's `TenantActionPolicy`), enforced on every
   * job's action and every plan action. Absent: every kind runs, nothing is a dry run.
   */
  readonly policy?: PlanPolicy;
  /** More runners (tests); the http runner is always there. */
  readonly runners?: ReadonlyArray<AnyActionRunner>;
  /** The bus: Redis Streams or in-process, as the config names (`busFor`), or a test's. */
  readonly bus: Bus;
}

/** What the workers log through: pino's logger, or anything with `warn` (tests). */
export interface StageLog {
  warn(object: object, message: string): void;
  info?(object: object, message: string): void;
  debug?(object: object, message: string): void;
  /** A logger whose lines carry `bindings` too (each stage's `stage`). */
  child?(bindings: Record<string, unknown>): StageLog;
}

const stageLog = (log: StageLog, stage: string): StageLog => log.child?.({ stage }) ?? log;

/** A name unique to this process and start, for relay leases and the router's consumer. */
const processName = (): string => `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

/**
 * The bus the config names: Redis Streams with `SLUICE_REDIS_URL` (its client loaded only then: an embedded
 * start need not load ioredis), else the in-process bus.
 */
export async function busFor(config: Pick<Config, 'redisUrl'>): Promise<Bus> {
  if (config.redisUrl === null) return new InProcessBus();
  const { RedisBus } = await import('@sluice/bus-redis');
  return new RedisBus({ connection: config.redisUrl });
}

/**
 * The relay and router of one process, as `SLUICE_WORKERS` asks, over the bus it is given (`busFor`: Redis
 * Streams with `SLUICE_REDIS_URL`, else the in-process bus). Started after the HTTP server listens and
 * stopped before the store closes.
 */
export class StageWorkers {
  readonly bus: Bus;
  readonly relay: Relay | null;
  readonly router: Router | null;
  readonly executor: Executor | null;
  readonly #deliverer: HttpDeliverer | null;
  readonly #closeRunners: Array<() => void> = [];

  constructor(options: StageWorkersOptions) {
    const { config, store, metrics } = options;
    const name = processName();
    const relayLog = stageLog(options.log, 'relay');
    const log = stageLog(options.log, 'route');
    this.bus = options.bus;
    this.relay = config.workers.includes('relay')
      ? new Relay({
          outbox: store.outbox,
          bus: this.bus,
          owner: `relay-${name}`,
          idleMs: config.relayIdleMs,
          leaseMs: config.relayLeaseMs,
          // Embedded: every ingest commit is in this process and nudges the relay.
          appendsNudge: config.databaseUrl === null,
          onPass: (pass) => {
            if (pass.published > 0) metrics.relayed.inc({ outcome: 'published' }, pass.published);
            if (pass.quiet > 0) metrics.relayed.inc({ outcome: 'quiet' }, pass.quiet);
            if (pass.lagMs !== null) metrics.relayLag.observe(pass.lagMs / 1000);
            metrics.observeStage('commit_to_relayed', pass.commitToRelayMs);
          },
          onError: (error) => relayLog.warn({ err: error }, 'relay pass failed; retrying after a backoff'),
        })
      : null;
    if (this.relay !== null) metrics.watchOutbox(() => store.outbox.pendingCount());
    this.router = config.workers.includes('router')
      ? new Router({
          bus: this.bus,
          triggers: store.triggers,
          jobs: {
            // An executor in this process claims the new jobs at once, not after the batch's acknowledgement.
            createMany: async (jobs) => {
              const created = await store.jobs.createMany(jobs);
              if (created > 0) this.executor?.nudge();
              return created;
            },
          },
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
            if (stats.jobsCreated > 0) {
              metrics.jobsCreated.inc(stats.jobsCreated);
              metrics.observeStage('relayed_to_job', stats.relayToJobMs);
            }
          },
          onRejected: (id, problems) =>
            log.warn(
              { trigger_id: id, problems },
              'trigger left out of the router: its definition does not compile',
            ),
          onError: (error) => log.warn({ err: error }, 'router: a batch or reload failed; it is retried'),
        })
      : null;
    const executes = config.workers.includes('executor');
    this.#deliverer = executes ? new HttpDeliverer({ allowPrivate: config.allowPrivateTargets }) : null;
    this.executor = this.#deliverer === null ? null : this.#executor(options, name, this.#deliverer);
  }

  #executor(options: StageWorkersOptions, name: string, deliverer: HttpDeliverer): Executor {
    const { config, store, metrics } = options;
    const log = stageLog(options.log, 'execute');
    metrics.watchQueue(() => store.queue.depth());
    const http = new HttpActionRunner({
      deliverer,
      async secretOf(tenantId, triggerId) {
        const sealed = await store.triggers.sealedSecret(tenantId, triggerId);
        return sealed === null ? null : options.secretBox.open(sealed, triggerId);
      },
    });
    const policy: PlanPolicy = options.policy ?? { allowedKinds: () => ['*'] };
    const runners: AnyActionRunner[] = [new PolicedRunner(http, policy, () => 'http')];
    const actions = options.actions;
    if (actions !== undefined) {
      const connector = new ConnectorActionRunner({
        allowPrivate: config.allowPrivateTargets,
        connectors: actions.connectors,
        connectionFor: actions.connectionFor,
      });
      this.#closeRunners.push(() => connector.close());
      const handler = new HandlerActionRunner({
        operators: actions.operators,
        policy,
        runners: { http, connector },
        emit: actions.emit,
        connectorIds: () => actions.connectors.list().map((c) => c.id),
      });
      runners.push(
        new PolicedRunner(connector, policy, async ({ trigger }) => {
          const found = await store.connections.get(trigger.tenant_id, trigger.action.connection_id);
          return actionKind(trigger.action, found?.connector_id ?? null);
        }),
        new PolicedRunner(handler, policy, ({ trigger }) => actionKind(trigger.action, null)),
      );
    }
    return new Executor({
      queue: store.queue,
      owner: `executor-${name}`,
      runners: [...runners, ...(options.runners ?? [])],
      concurrency: config.executorConcurrency,
      ...(config.executorTargetConcurrency === null
        ? {}
        : { targetConcurrency: config.executorTargetConcurrency }),
      breaker: new CircuitBreaker({ coolDownMs: config.breakerCoolDownMs }),
      // Embedded mode shares one PGlite connection with ingest; its router nudges the executor anyway.
      idleMs: config.databaseUrl === null ? 200 : 50,
      leaseMs: config.jobLeaseMs,
      resultTtlMs: config.jobResultTtlMs,
      ...(config.tenantConcurrency === null ? {} : { tenantConcurrency: config.tenantConcurrency }),
      fact: options.fact,
      async disableTrigger(tenantId, triggerId) {
        await store.triggers.update(tenantId, triggerId, { enabled: false });
        await options.changes.publish({ kind: 'trigger', tenant_id: tenantId, id: triggerId });
        log.warn(
          { tenant_id: tenantId, trigger_id: triggerId },
          'trigger disabled: its target answered 410 Gone',
        );
      },
      onAttempt: ({ claimed, outcome, latency_ms }) => {
        const action = claimed.trigger?.action.type ?? 'none';
        logAttempt(log, claimed, outcome, latency_ms);
        metrics.jobsFinished.inc({ outcome, action });
        if (latency_ms !== null) metrics.attemptLatency.observe({ action }, latency_ms / 1000);
        if (outcome !== 'retry' && outcome !== 'postponed' && outcome !== 'lost') {
          const doneMs = Date.now() - Date.parse(claimed.job.created_at);
          metrics.jobLatency.observe(doneMs / 1000);
          metrics.observeStage('job_to_done', doneMs);
        }
      },
      onError: (error) => log.warn({ err: error }, 'executor: a claim or a job failed; it is retried'),
    });
  }

  /** The router first (it loads every trigger before it reads), then the relay, then the executor. */
  async start(): Promise<void> {
    await this.router?.start();
    this.relay?.start();
    this.executor?.start();
  }

  /** Something was appended in this process: the relay looks now instead of after its idle wait. */
  nudge(): void {
    this.relay?.nudge();
  }

  /**
   * Stops the relay, then the router (its batches in flight finish), then the executor (its running jobs
   * finish or are aborted), then closes the bus.
   */
  async stop(): Promise<void> {
    await this.relay?.stop();
    await this.router?.stop();
    await this.executor?.stop();
    this.#deliverer?.close();
    for (const close of this.#closeRunners) close();
    await this.bus.close();
  }
}

/** One line per finished attempt: debug when it succeeded, info when it is retried, warn when it failed for good. */
function logAttempt(log: StageLog, claimed: ClaimedJob, outcome: string, latencyMs: number | null): void {
  const fields = {
    job_id: claimed.job.id,
    event_id: claimed.job.event_id,
    tenant_id: claimed.job.tenant_id,
    trace_id: claimed.envelope.trace_id,
    trigger_id: claimed.job.trigger_id,
    attempt: claimed.attempt,
    outcome,
    latency_ms: latencyMs,
  };
  if (outcome === 'dead_lettered' || outcome === 'disabled') log.warn(fields, `job ${outcome}`);
  else if (outcome === 'retry' || outcome === 'lost' || outcome === 'postponed')
    log.info?.(fields, `job ${outcome}`);
  else log.debug?.(fields, `job ${outcome}`);
}
