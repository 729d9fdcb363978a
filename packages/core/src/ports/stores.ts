import type { BackfillStore } from './backfill-port.ts';
import type { ConnectionStore } from './connection-port.ts';
import type { DeadLetterPolicyStore } from './dead-letter-policy-port.ts';
import type { DeadLetterStore } from './dead-letter-port.ts';
import type { EventLog } from './event-log-port.ts';
import type { IngestStats } from './ingest-stats-port.ts';
import type { JobStore } from './job-port.ts';
import type { JobQueue } from './job-queue-port.ts';
import type { StoreMaintenance } from './maintenance-port.ts';
import type { Outbox } from './outbox-port.ts';
import type { CronScheduleStore, ScheduleStore } from './schedule-port.ts';
import type { TenancyStore } from './tenancy-port.ts';
import type { TriggerStore } from './trigger-port.ts';

/**
 * The system of record, one port per role. Both adapters (embedded PGlite and PostgreSQL) implement every
 * port over one schema, and each port has one contract suite that runs on both.
 */
export interface Stores {
  readonly tenancy: TenancyStore;
  readonly connections: ConnectionStore;
  readonly events: EventLog;
  readonly outbox: Outbox;
  readonly deadLetters: DeadLetterStore;
  /** Automated replay policies of dead letters. */
  readonly deadLetterPolicies: DeadLetterPolicyStore;
  readonly triggers: TriggerStore;
  readonly jobs: JobStore;
  /** The executor's side of the jobs: claims, leases, outcomes, remembered results. */
  readonly queue: JobQueue;
  /** The poll scheduler's streams: next runs, leases, health. */
  readonly schedules: ScheduleStore;
  /** Tenants' cron schedules. */
  readonly cronSchedules: CronScheduleStore;
  readonly maintenance: StoreMaintenance;
  /** Backfills of poll streams and their progress. */
  readonly backfills: BackfillStore;
  /** Per-minute aggregates of the log for operators. */
  readonly ingestStats: IngestStats;
}
