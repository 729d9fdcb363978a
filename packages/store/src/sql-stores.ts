import type { Stores } from '@sluice/core';
import type { GroupCommitOptions } from './group-commit.ts';
import { SqlBackfillStore } from './sql-backfill-store.ts';
import type { SqlClient } from './sql-client.ts';
import { SqlConnectionStore } from './sql-connection-store.ts';
import { SqlCronScheduleStore } from './sql-cron-schedule-store.ts';
import { SqlDeadLetterPolicyStore } from './sql-dead-letter-policy-store.ts';
import { SqlDeadLetterStore } from './sql-dead-letter-store.ts';
import { SqlEventLog } from './sql-event-log.ts';
import { SqlIngestStats } from './sql-ingest-stats.ts';
import { SqlJobQueue } from './sql-job-queue.ts';
import { SqlJobStore } from './sql-job-store.ts';
import { SqlMaintenance } from './sql-maintenance.ts';
import { SqlOutbox } from './sql-outbox.ts';
import { SqlScheduleStore } from './sql-schedule-store.ts';
import { SqlTenancyStore } from './sql-tenancy-store.ts';
import { SqlTriggerStore } from './sql-trigger-store.ts';

export interface SqlStoresOptions {
  /** Injected clock (tests move time to expire dedupe keys). */
  readonly now?: () => Date;
  /** How appends share commits. */
  readonly groupCommit?: GroupCommitOptions;
  /** A waiting job's rank improves one priority level per this many ms; default 60 s. */
  readonly jobAgingMs?: number;
  /** PGlite: the least time between two vacuums of one table, in ms; 60 s by default. */
  readonly embeddedVacuumEveryMs?: number;
}

/** Every store port over one `SqlClient`: one SQL dialect for PGlite and PostgreSQL. */
export class SqlStores implements Stores {
  readonly tenancy: SqlTenancyStore;
  readonly connections: SqlConnectionStore;
  readonly events: SqlEventLog;
  readonly outbox: SqlOutbox;
  readonly deadLetters: SqlDeadLetterStore;
  readonly deadLetterPolicies: SqlDeadLetterPolicyStore;
  readonly triggers: SqlTriggerStore;
  readonly jobs: SqlJobStore;
  readonly queue: SqlJobQueue;
  readonly schedules: SqlScheduleStore;
  readonly cronSchedules: SqlCronScheduleStore;
  readonly maintenance: SqlMaintenance;
  readonly backfills: SqlBackfillStore;
  readonly ingestStats: SqlIngestStats;
  readonly dialect: SqlClient['dialect'];

  constructor(db: SqlClient, options: SqlStoresOptions = {}) {
    const now = options.now ?? (() => new Date());
    this.dialect = db.dialect;
    this.tenancy = new SqlTenancyStore(db, now);
    this.connections = new SqlConnectionStore(db, now);
    this.events = new SqlEventLog(db, now, options.groupCommit);
    this.outbox = new SqlOutbox(db, now);
    this.deadLetters = new SqlDeadLetterStore(db, now);
    this.deadLetterPolicies = new SqlDeadLetterPolicyStore(db);
    this.triggers = new SqlTriggerStore(db, now);
    this.jobs = new SqlJobStore(db, now);
    this.queue = new SqlJobQueue(
      db,
      now,
      options.jobAgingMs === undefined ? {} : { agingMs: options.jobAgingMs },
    );
    this.schedules = new SqlScheduleStore(db, now);
    this.cronSchedules = new SqlCronScheduleStore(db, now);
    this.maintenance = new SqlMaintenance(db, now, {
      ...(options.embeddedVacuumEveryMs === undefined
        ? {}
        : { embeddedVacuumEveryMs: options.embeddedVacuumEveryMs }),
    });
    this.backfills = new SqlBackfillStore(db, now);
    this.ingestStats = new SqlIngestStats(db);
  }
}
