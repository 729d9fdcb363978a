import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  type Bus,
  type BusBatch,
  type ChangeFeed,
  type ConnectionStore,
  type Consumer,
  contextOfTraceparent,
  type DeadLetterStore,
  type DeliveredMessage,
  type JobStore,
  type Outbox,
  type TenancyStore,
  type TriggerStore,
  traceparentOfSpan,
  tracer,
} from '@sluice/core';
import type { TriggerProblem } from './compile-trigger.ts';
import { routeMessages } from './route-batch.ts';
import { RouterTriggers } from './router-triggers.ts';
import type { SqlHook } from './sql-hook.ts';
import { TenantSettings } from './tenant-settings.ts';
import { UnmatchedDeadLetters } from './unmatched-dead-letter.ts';

/** What routing one bus batch did (metrics). */
export interface RouteStats {
  readonly messages: number;
  /** Envelopes that matched at least one trigger. */
  readonly matched: number;
  /** Jobs created now; a redelivered envelope's jobs exist already and count 0. */
  readonly jobsCreated: number;
  /** Unmatched envelopes counted and dropped. */
  readonly dropped: number;
  /** Unmatched envelopes kept as dead letters (tenants whose `unmatched_events` is `dead_letter`). */
  readonly deadLettered: number;
  readonly quiet: number;
  readonly unreadable: number;
  /** Outbox rows this batch acknowledged; repeats of rows acknowledged before count 0. */
  readonly acknowledged: number;
  /** For each matched envelope whose jobs were created now: from its publish to its jobs' commit, in ms. */
  readonly relayToJobMs: ReadonlyArray<number>;
}

export interface RouterOptions {
  readonly bus: Bus;
  readonly triggers: Pick<TriggerStore, 'enabledOf' | 'enabledAfter'>;
  readonly jobs: Pick<JobStore, 'createMany'>;
  /** Acknowledged once a batch is routed, so the relay sends its connections' next rows. */
  readonly outbox: Pick<Outbox, 'acknowledge'>;
  readonly tenancy: Pick<TenancyStore, 'getTenant'>;
  readonly deadLetters: Pick<DeadLetterStore, 'get' | 'create'>;
  readonly connections: Pick<ConnectionStore, 'get'>;
  /** Trigger and tenant changes of every process; without it only the periodic reload sees them. */
  readonly changes?: ChangeFeed | undefined;
  /** The CloudEvents SQL engine for `{sql}` conditions. */
  readonly sql?: SqlHook | undefined;
  /** This router's consumer name in its group; unique per process. */
  readonly consumer: string;
  /** The consumer group; `router` by default. Every router process joins the same one. */
  readonly group?: string;
  readonly batchSize?: number;
  readonly blockMs?: number;
  readonly retryDelayMs?: number;
  /** A full trigger reload every so often, in case a change notice was lost, in ms; 30,000 by default. */
  readonly reloadIntervalMs?: number;
  /** How long a tenant's unmatched-events setting is cached, in ms; 10,000 by default. */
  readonly tenantTtlMs?: number;
  readonly onBatch?: (stats: RouteStats) => void;
  /** A stored trigger the router cannot index; it is left out until it changes. */
  readonly onRejected?: (id: string, problems: ReadonlyArray<TriggerProblem>) => void;
  /** A failed batch (left pending for redelivery), a failed reload, a bus error; the router carries on. */
  readonly onError?: (error: unknown) => void;
}

/**
 * The router worker: consumes `envelopes` in group `router`, matches each envelope against its tenant's
 * triggers, creates the jobs of a batch in event order with one `createMany`, then acknowledges the batch's
 * outbox rows. A batch that fails is left pending and delivered again (and, should the bus lose it, the
 * relay sends it again once its lease lapses); the one-job-per-(event, trigger) rule makes repeats safe.
 */
export class Router {
  readonly #options: RouterOptions;
  readonly #triggers: RouterTriggers;
  readonly #settings: TenantSettings;
  readonly #deadLetters: UnmatchedDeadLetters;
  #consumer: Consumer | undefined;
  #unsubscribe: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RouterOptions) {
    this.#options = options;
    this.#triggers = new RouterTriggers({
      store: options.triggers,
      sql: options.sql,
      ...(options.onRejected === undefined ? {} : { onRejected: options.onRejected }),
    });
    this.#settings = new TenantSettings({
      tenancy: options.tenancy,
      ...(options.tenantTtlMs === undefined ? {} : { ttlMs: options.tenantTtlMs }),
    });
    this.#deadLetters = new UnmatchedDeadLetters(options);
  }

  /** The triggers it routes with (tests wait on `settled`). */
  get triggers(): RouterTriggers {
    return this.#triggers;
  }

  /**
   * Loads every enabled trigger, then starts consuming: an envelope is never routed against an index that
   * has not loaded. Changes heard during the load are applied after it.
   */
  async start(): Promise<void> {
    if (this.#consumer !== undefined) return;
    this.#unsubscribe = this.#options.changes?.subscribe((change) => {
      if (change.kind === 'trigger') {
        this.#triggers.reloadTenant(change.tenant_id).catch((error: unknown) => this.#report(error));
      } else if (change.kind === 'tenant') {
        this.#settings.invalidate(change.tenant_id);
      }
    });
    try {
      await this.#triggers.loadAll();
    } catch (error) {
      this.#unsubscribe?.();
      this.#unsubscribe = undefined;
      throw error;
    }
    const interval = this.#options.reloadIntervalMs ?? 30_000;
    if (interval > 0) {
      this.#timer = setInterval(() => {
        this.#triggers.loadAll().catch((error: unknown) => this.#report(error));
      }, interval);
      this.#timer.unref();
    }
    this.#consumer = this.#options.bus.consume({
      topic: 'envelopes',
      group: this.#options.group ?? 'router',
      consumer: this.#options.consumer,
      handler: (batch) => this.handle(batch),
      ...(this.#options.batchSize === undefined ? {} : { batchSize: this.#options.batchSize }),
      ...(this.#options.blockMs === undefined ? {} : { blockMs: this.#options.blockMs }),
      ...(this.#options.retryDelayMs === undefined ? {} : { retryDelayMs: this.#options.retryDelayMs }),
      onError: (error) => this.#report(error),
    });
  }

  /** Stops consuming (the batches in flight finish), hearing changes and reloading. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    await this.#consumer?.stop();
    this.#consumer = undefined;
    await this.#triggers.settled();
  }

  /** Routes one partition's batch, in order. Throws to leave the batch pending (the bus delivers it again). */
  async handle(batch: BusBatch): Promise<void> {
    // One span per message, continuing the relay's span (carried on the message); the jobs carry it on.
    const spans = new Map<DeliveredMessage, Span>();
    for (const message of batch.messages) spans.set(message, routeSpan(message));
    let jobsCreated: number;
    let routed: ReturnType<typeof routeMessages>;
    try {
      routed = routeMessages(
        batch.messages,
        (envelope) => this.#triggers.match(envelope),
        (message) => {
          const span = spans.get(message);
          return span === undefined ? null : traceparentOfSpan(span);
        },
      );
      jobsCreated = routed.jobs.length === 0 ? 0 : await this.#options.jobs.createMany(routed.jobs);
    } catch (error) {
      for (const span of spans.values()) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.end();
      }
      throw error;
    }
    const createdAt = Date.now();
    const relayToJobMs: number[] = [];
    const jobsOf = new Map<string, number>();
    for (const job of routed.jobs) jobsOf.set(job.event_id, (jobsOf.get(job.event_id) ?? 0) + 1);
    for (const [message, span] of spans) {
      const jobs = jobsOf.get(message.attributes.event_id) ?? 0;
      span.setAttribute('sluice.jobs', jobs);
      span.end();
      const relayedAt = message.attributes.relayed_at;
      if (jobsCreated > 0 && jobs > 0 && relayedAt !== undefined && !message.redelivered) {
        relayToJobMs.push(Math.max(0, createdAt - relayedAt));
      }
    }
    let dropped = 0;
    let deadLettered = 0;
    for (const envelope of routed.unmatched) {
      if ((await this.#settings.unmatchedEvents(envelope.tenant_id)) === 'dead_letter') {
        await this.#deadLetters.keep(envelope);
        deadLettered++;
      } else {
        dropped++;
      }
    }
    // Every message is acknowledged, routed or not: a quiet or unreadable one would otherwise hold its
    // connection until its lease lapsed, and then come back.
    const acknowledged = await this.#options.outbox.acknowledge(
      batch.messages.map((message) => message.attributes.position),
    );
    this.#options.onBatch?.({
      acknowledged,
      messages: batch.messages.length,
      matched: routed.matched,
      jobsCreated,
      dropped,
      deadLettered,
      quiet: routed.quiet,
      unreadable: routed.unreadable,
      relayToJobMs,
    });
  }

  #report(error: unknown): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // A failing reporter must not stop the router.
    }
  }
}

function routeSpan(message: DeliveredMessage): Span {
  return tracer.startSpan(
    'route',
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'sluice.event_id': message.attributes.event_id,
        'sluice.tenant_id': message.attributes.tenant_id,
        'sluice.event_type': message.attributes.event_type,
        'messaging.destination.name': 'envelopes',
      },
    },
    contextOfTraceparent(message.attributes.traceparent),
  );
}
