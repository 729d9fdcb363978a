import {
  BulkReplays,
  ConnectionWorkflows,
  type ControlDeps,
  DeadLetterDepthAlerts,
  DeadLetterWorkflows,
  JobWorkflows,
  openConfig,
  type PacerClock,
  ReplayPolicies,
  registeredVersions,
  ScheduleWorkflows,
  type SecretBox,
  StreamWorkflows,
  SubscriptionWorkflows,
  TenantActionPolicy,
  TenantWorkflows,
  TriggerWorkflows,
} from '@sluice/control';
import {
  type ChangeFeed,
  type Connector,
  CRON_CONNECTOR_ID,
  InProcessChangeFeed,
  PLATFORM_CONNECTOR_ID,
  platformDedupeKey,
  type Stores,
  SYSTEM_TENANT_ID,
} from '@sluice/core';
import { guardedFetch } from '@sluice/execute';
import { createIngestor, PlatformEvents } from '@sluice/ingest';
import { ConnectorRegistry } from '@sluice/map';
import { PollPass, WebhookReceiver } from '@sluice/receive';
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from './app-context.ts';
import type { Config } from './config.ts';
import { Backfills } from './services/backfills.ts';
import { checkCesql } from './services/cesql-check.ts';
import { ConnectionQuota } from './services/connection-quota.ts';
import { Metrics } from './services/metrics.ts';
import { PollWorkers } from './services/poll-workers.ts';

export interface ContextOptions {
  readonly config: Config;
  readonly store: Stores;
  /** The connectors to serve; the platform connector must be among them. */
  readonly connectors: ReadonlyArray<Connector>;
  readonly secretBox: SecretBox;
  /** Control-plane change notifications; in-process when absent (one process). */
  readonly changes?: ChangeFeed;
  readonly now?: () => Date;
  readonly tailIntervalMs?: number;
  readonly log?: Pick<FastifyBaseLogger, 'warn'>;
  /** Called after each ingest commit in this process (the embedded relay's nudge). */
  readonly onCommitted?: () => void;
  /** Process metrics (CPU, memory, event loop) in /metrics too; off in tests. */
  readonly defaultMetrics?: boolean;
  /** How bulk replays and policies wait between replays; real time when absent. */
  readonly replayClock?: PacerClock;
  /** Bulk replays of at most this many run within the request; default 100. */
  readonly replaySyncLimit?: number;
  /** The poll scheduler's longest sleep between checks, in ms. */
  readonly pollMaxSleepMs?: number;
}

/** Wires stores → ingest → receive and the control workflows. The one place where they are constructed. */
export function createContext(options: ContextOptions): AppContext {
  const { config, store, secretBox } = options;
  const now = options.now ?? (() => new Date());
  const changes = options.changes ?? new InProcessChangeFeed();
  const metrics = new Metrics({ defaultMetrics: options.defaultMetrics ?? true });
  const connectors = new ConnectorRegistry(options.connectors);
  connectors.require(PLATFORM_CONNECTOR_ID);
  const ingestor = createIngestor({
    events: store.events,
    connectors,
    now,
    limits: { maxPayloadBytes: config.maxPayloadBytes, dedupeWindowMs: config.dedupeWindowMs },
    onCommitted: (results, connection) => {
      metrics.countResults(results, connection.id);
      options.onCommitted?.();
    },
    onMissingEntity: ({ connection_id, event_type, index }) => {
      metrics.missingEntity.inc({ event_type });
      options.log?.warn(
        { connection_id, event_type, index },
        'emission has no payload.entity; single-flight cannot serialize its side effects',
      );
    },
  });
  const quota = new ConnectionQuota({
    rate: config.connectionRate,
    burst: config.connectionBurst,
    now: () => now().getTime(),
  });
  const platform = new PlatformEvents({
    tenancy: store.tenancy,
    connections: store.connections,
    ingestor,
    sealSecret: (plaintext, connectionId) => secretBox.seal(plaintext, connectionId),
  });
  const receiver = new WebhookReceiver({
    connections: store.connections,
    deadLetters: store.deadLetters,
    connectors,
    ingestor,
    quota,
    now,
    internalConnectors: new Set([PLATFORM_CONNECTOR_ID, CRON_CONNECTOR_ID]),
    configOf: (connection) => openConfig(secretBox, connection.id, connection.config),
    async secretsOf(connection, at) {
      const sealed = await store.connections.liveSecrets(connection.tenant_id, connection.id, at);
      return sealed.map((secret) => ({
        secret: secretBox.open(secret.ciphertext, connection.id),
        expiresAt: secret.expires_at === null ? null : new Date(secret.expires_at),
      }));
    },
    platformFact: (tenantId, event) => platform.fact(tenantId, event),
    onDeadLetter: (connector) => metrics.deadLetters.inc({ connector: connector.id }),
  });
  // Connections and secrets changed in any process drop this process's cached lookups.
  changes.subscribe((change) => {
    if (change.kind === 'connection' || change.kind === 'secret') receiver.invalidate();
  });
  // Poll sources are URLs a tenant chose: reached only through the outbound target guard.
  const sourceFetch = guardedFetch({ allowPrivate: config.allowPrivateTargets });
  const pollPass = new PollPass({
    connectors,
    ingestor,
    events: store.events,
    fetch: sourceFetch,
    now,
    configOf: (connection) => openConfig(secretBox, connection.id, connection.config),
  });
  const backfills = new Backfills({
    backfills: store.backfills,
    connections: store.connections,
    connectors,
    pass: pollPass,
    now,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const poll = new PollWorkers({
    store,
    fetch: sourceFetch,
    connectors,
    ingestor,
    platform,
    secretBox,
    now,
    ...(options.pollMaxSleepMs === undefined ? {} : { maxSleepMs: options.pollMaxSleepMs }),
    leaseMs: config.schedulerLeaseMs,
    onRun: ({ stream, lateMs }) => metrics.pollLag.observe({ connector: stream.connector_id }, lateMs / 1000),
    onError: (error) =>
      options.log?.warn({ err: error }, 'poll scheduler round failed; the next one retries'),
  });
  const streams = new StreamWorkflows({ stores: store, platform, now, onDue: () => poll.wake() });
  const schedules = new ScheduleWorkflows({ stores: store, now, onCreated: () => poll.wake() });
  const deps: ControlDeps = {
    stores: store,
    connectors,
    ingestor,
    platform,
    secretBox,
    changes,
    now,
    streams,
    fetch: sourceFetch,
  };
  const actionPolicy = new TenantActionPolicy({
    tenancy: store.tenancy,
    defaultAllowed: config.allowedActions,
  });
  changes.subscribe((change) => {
    if (change.kind === 'tenant') actionPolicy.invalidate(change.tenant_id);
  });
  const triggers = new TriggerWorkflows({
    triggers: store.triggers,
    connections: store.connections,
    secretBox,
    changes,
    checkSql: checkCesql,
    platform,
    policy: actionPolicy,
  });
  const deadLetters = new DeadLetterWorkflows(deps);
  const replays = new BulkReplays({
    stores: store,
    deadLetters,
    now,
    defaultRatePerSecond: config.replayRatePerSecond,
    ...(options.replayClock === undefined ? {} : { clock: options.replayClock }),
    ...(options.replaySyncLimit === undefined ? {} : { syncLimit: options.replaySyncLimit }),
  });
  return {
    config,
    store,
    connectors,
    ingestor,
    platform,
    receiver,
    pollPass,
    backfills,
    control: {
      tenants: new TenantWorkflows(store, changes, {
        async onTimezoneChanged(tenantId, from, to) {
          await streams.tenantTimezoneChanged(tenantId, to);
          await schedules.tenantTimezoneChanged(tenantId, from, to);
        },
      }),
      connections: new ConnectionWorkflows(deps),
      deadLetters,
      replays,
      replayPolicies: new ReplayPolicies(store, replays, { ratePerSecond: config.replayRatePerSecond }),
      depthAlerts: new DeadLetterDepthAlerts(store, platform, now),
      triggers,
      subscriptions: new SubscriptionWorkflows(triggers, checkCesql),
      jobs: new JobWorkflows(store.jobs),
      streams,
      schedules,
    },
    actionPolicy,
    poll,
    changes,
    quota,
    secretBox,
    metrics,
    now,
    tailIntervalMs: options.tailIntervalMs ?? 250,
  };
}

/** Publishes `provider.registered` for every connector in the catalog, once per connector version. */
export async function registerProviders(ctx: AppContext): Promise<void> {
  await ctx.platform.ensureSystemTenant();
  // The dedupe key guards concurrent starts; it expires, so a restart after the dedupe window checks
  // the stored facts instead of publishing the same registration again.
  const registered = await registeredVersions(ctx.store.events, 'provider.registered');
  // All at once: the emits share one group commit (one after another, each connector was a query and a
  // commit of its own, a quarter of a first start).
  const registering = ctx.connectors.list().map(async (connector) => {
    if (connector.id === PLATFORM_CONNECTOR_ID || connector.id === CRON_CONNECTOR_ID) return;
    if (registered.get(`provider:${connector.id}`)?.has(connector.version) === true) return;
    const entity = { kind: 'provider', id: connector.id };
    await ctx.platform.emit(SYSTEM_TENANT_ID, {
      event_type: 'provider.registered',
      entity,
      dedupe_key: platformDedupeKey(entity, 'registered', connector.version),
      payload: {
        version: connector.version,
        streams: connector.streams.map((s) => s.key),
        verification: connector.webhook?.verify.scheme ?? null,
      },
    });
  });
  await Promise.all(registering);
}
