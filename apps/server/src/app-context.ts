import type {
  BulkReplays,
  ConnectionWorkflows,
  DeadLetterDepthAlerts,
  DeadLetterWorkflows,
  JobWorkflows,
  ReplayPolicies,
  ScheduleWorkflows,
  SecretBox,
  StreamWorkflows,
  SubscriptionWorkflows,
  TenantActionPolicy,
  TenantWorkflows,
  TriggerWorkflows,
} from '@sluice/control';
import type { ChangeFeed, Stores } from '@sluice/core';
import type { Ingestor, PlatformEvents } from '@sluice/ingest';
import type { ConnectorRegistry } from '@sluice/map';
import type { PollPass, WebhookReceiver } from '@sluice/receive';
import type { Config } from './config.ts';
import type { Backfills } from './services/backfills.ts';
import type { ConnectionQuota } from './services/connection-quota.ts';
import type { Metrics } from './services/metrics.ts';
import type { PollWorkers } from './services/poll-workers.ts';

/** The control-plane workflows the routes call; the CLI and later stages call the same ones. */
export interface Control {
  readonly tenants: TenantWorkflows;
  readonly connections: ConnectionWorkflows;
  readonly deadLetters: DeadLetterWorkflows;
  /** Bulk replay by a filter, paced; background runs and their progress. */
  readonly replays: BulkReplays;
  /** Automated replay policies. */
  readonly replayPolicies: ReplayPolicies;
  /** Dead-letter depth alerts (the depth worker's check). */
  readonly depthAlerts: DeadLetterDepthAlerts;
  readonly triggers: TriggerWorkflows;
  readonly subscriptions: SubscriptionWorkflows;
  readonly jobs: JobWorkflows;
  readonly streams: StreamWorkflows;
  readonly schedules: ScheduleWorkflows;
}

/**
 * What the routes are wired to, once, in `create-context.ts`. Routes hold no state of their own, and each
 * route module names the part it uses (`Pick<AppContext, ...>`), so its dependencies read from its signature.
 */
export interface AppContext {
  readonly config: Config;
  readonly store: Stores;
  readonly connectors: ConnectorRegistry;
  readonly ingestor: Ingestor;
  readonly platform: PlatformEvents;
  readonly receiver: WebhookReceiver;
  /** One pass of a poll stream (the scheduler and backfills run it). */
  readonly pollPass: PollPass;
  /** Backfills running in this process. */
  readonly backfills: Backfills;
  readonly control: Control;
  /** Each tenant's allowed action kinds and dry-run mode (trigger create, the executor). */
  readonly actionPolicy: TenantActionPolicy;
  readonly changes: ChangeFeed;
  readonly quota: ConnectionQuota;
  readonly secretBox: SecretBox;
  readonly metrics: Metrics;
  /** The poll scheduler and cron ticker (started by the server). */
  readonly poll: PollWorkers;
  readonly now: () => Date;
  /** How often the live tail looks for new envelopes, in ms. */
  readonly tailIntervalMs: number;
}
