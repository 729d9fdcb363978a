import type {
  AppendInput,
  ClaimedJob,
  Job,
  JobClaimRequest,
  JobFinish,
  JobOutcome,
  JobQueue,
  Priority,
  QueueDepth,
  RememberedResult,
} from '@sluice/core';
import { appendFacts } from './append-facts.ts';
import { isSingleFlightRace, withConflictRetry } from './conflict-retry.ts';
import { claimJobs, failOrphans } from './job-claim.ts';
import { finishJobs } from './job-finish.ts';
import { reclaimLapsedLeases } from './job-lease-reclaim.ts';
import { requeueJob } from './job-requeue.ts';
import { iso } from './row-mappers.ts';
import { runsAlone, type SqlClient } from './sql-client.ts';

export interface JobQueueOptions {
  /** A waiting job's rank improves one priority level per this many ms (aging); default 60 s. */
  readonly agingMs?: number;
}

export const DEFAULT_AGING_MS = 60_000;

/**
 * The job queue over SQL: the database holds every guarantee. The partial unique index
 * `jobs_single_flight` makes two running (or retrying) jobs of one entity impossible, whatever the
 * executors believe; the `head` column, kept under per-entity advisory locks, names the one job of each
 * entity a claim may take (its earliest in event order), so the claim reads heads by index and never the
 * jobs waiting behind them. Claims lease with `FOR UPDATE SKIP LOCKED`; a claim first puts lapsed leases
 * back, so a killed executor's jobs are taken again within one lease. With `tenantConcurrency` claims take
 * one advisory lock for their few milliseconds, so the running count and the new leases cannot interleave.
 */
export class SqlJobQueue implements JobQueue {
  readonly #db: SqlClient;
  readonly #now: () => Date;
  readonly #agingMs: number;

  constructor(db: SqlClient, now: () => Date, options: JobQueueOptions = {}) {
    this.#db = db;
    this.#now = now;
    this.#agingMs = options.agingMs ?? DEFAULT_AGING_MS;
  }

  async claim(request: JobClaimRequest): Promise<ReadonlyArray<ClaimedJob>> {
    if (request.limit <= 0) return [];
    // Lapsed leases go back first, in a statement of their own, so this claim can take them.
    await reclaimLapsedLeases(this.#db, this.#now());
    const { claimed, orphans } = await withConflictRetry(
      () => {
        const now = this.#now();
        // Alone on its database (PGlite), the statement counting each tenant's running jobs needs no lock.
        if (request.tenantConcurrency === undefined || runsAlone(this.#db))
          return claimJobs(this.#db, request, now, this.#agingMs);
        return this.#db.transaction(async (tx) => {
          await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sluice.jobs.claim'))`);
          return claimJobs(tx, request, now, this.#agingMs);
        });
      },
      3,
      isSingleFlightRace,
    );
    if (orphans.length > 0) {
      // The claimed jobs are leased already and must reach the executor whatever happens here: jobs whose
      // failing did not commit keep their lease, which lapses, and the claim after it fails them again.
      await withConflictRetry(() =>
        this.#db.transaction((tx) => failOrphans(tx, orphans, this.#now())),
      ).catch(() => undefined);
    }
    return claimed;
  }

  async heartbeat(
    owner: string,
    jobIds: ReadonlyArray<string>,
    leaseMs: number,
  ): Promise<ReadonlyArray<string>> {
    if (jobIds.length === 0) return [];
    // Rows are locked in id order (as a finish locks them), so a heartbeat and a finish never deadlock.
    const rows = await this.#db.query<{ id: string }>(
      `WITH mine AS (
         SELECT id FROM jobs
          WHERE id IN (SELECT jsonb_array_elements_text($2::jsonb)) AND status = 'running' AND lease_owner = $1
          ORDER BY id FOR UPDATE
       )
       UPDATE jobs SET lease_until = $3 FROM mine
        WHERE jobs.id = mine.id AND jobs.status = 'running' AND jobs.lease_owner = $1
        RETURNING jobs.id`,
      [owner, JSON.stringify(jobIds), new Date(this.#now().getTime() + leaseMs)],
    );
    return rows.map((row) => row.id);
  }

  async finish(
    owner: string,
    jobId: string,
    outcome: JobOutcome,
    facts?: ReadonlyArray<AppendInput>,
  ): Promise<boolean> {
    const [held] = await this.finishMany(owner, [
      { job_id: jobId, outcome, ...(facts === undefined ? {} : { facts }) },
    ]);
    return held === true;
  }

  finishMany(owner: string, finishes: ReadonlyArray<JobFinish>): Promise<ReadonlyArray<boolean>> {
    if (finishes.length === 0) return Promise.resolve([]);
    return withConflictRetry(() =>
      this.#db.transaction((tx) => finishJobs(tx, owner, finishes, this.#now())),
    );
  }

  reclaimExpired(): Promise<number> {
    return reclaimLapsedLeases(this.#db, this.#now());
  }

  async recall(tenantId: string, key: string): Promise<RememberedResult | null> {
    const [row] = await this.#db.query(
      'SELECT job_id, result, expires_at FROM job_results WHERE tenant_id = $1 AND key = $2 AND expires_at > $3',
      [tenantId, key, this.#now()],
    );
    if (row === undefined) return null;
    return {
      job_id: String(row['job_id']),
      result: row['result'] ?? null,
      expires_at: iso(row['expires_at']),
    };
  }

  requeue(tenantId: string, jobId: string, facts?: ReadonlyArray<AppendInput>): Promise<Job | null> {
    return withConflictRetry(() =>
      this.#db.transaction(async (tx) => {
        const now = this.#now();
        const job = await requeueJob(tx, tenantId, jobId, now);
        if (job !== null) await appendFacts(tx, facts, now);
        return job;
      }),
    );
  }

  async depth(): Promise<ReadonlyArray<QueueDepth>> {
    const rows = await this.#db.query<{
      tenant_id: string;
      priority: Priority;
      queued: string;
      running: string;
    }>(
      `SELECT tenant_id, priority,
              count(*) FILTER (WHERE status IN ('queued', 'retrying'))::text AS queued,
              count(*) FILTER (WHERE status = 'running')::text AS running
         FROM jobs WHERE status IN ('queued', 'running', 'retrying')
        GROUP BY tenant_id, priority ORDER BY tenant_id, priority`,
    );
    return rows.map((row) => ({
      tenant_id: row.tenant_id,
      priority: row.priority,
      queued: Number(row.queued),
      running: Number(row.running),
    }));
  }
}
