import type { ClaimedJob, JobClaimRequest, RememberedResult } from '@sluice/core';
import { entitiesOf, lockEntities, settleHeads } from './job-entity-heads.ts';
import { iso, toEnvelope } from './row-mappers.ts';
import type { SqlExecutor } from './sql-client.ts';
import { toJob } from './sql-job-store.ts';
import { toTrigger } from './sql-trigger-store.ts';

/**
 * The statement that picks and leases jobs. Parameters: $1 owner, $2 now, $3 limit, $4 lease end,
 * $5 aging step in seconds, and with a tenant cap $6 the cap.
 *
 * - Candidates are the heads waiting to run (`jobs_claimable`): an entity's waiting jobs behind its running
 *   one are not heads, so they are never read, however many there are. Of each tenant that has any (found
 *   by skipping through the index, one probe per tenant) and each priority, only the `limit` oldest are
 *   read: within a priority older means better ranked, so the best `limit` of a tenant are among them,
 *   and a flooding tenant's backlog costs no more than a quiet one's.
 * - Rank: the priority (P1 = 1 … P4 = 4) less one step per `aging` seconds the job has waited to run, at
 *   least 1, so a P4 that waited long enough is taken like a P1; ties go to the longest waiting.
 * - Fairness (max-min share, across every executor): each tenant's candidates are numbered in rank order
 *   (its turns), and a candidate's share is its tenant's running jobs plus its turn, i.e. how many the
 *   tenant would run with it. The claim fills slots lowest share first, rank and age breaking ties: a
 *   tenant with a thousand waiting jobs and one with ten share a claim, and on a saturated queue (every
 *   slot busy, one freed at a time) a freed slot goes to the tenant running fewest, whatever the priority
 *   or the age of the others' backlog. Priority and aging order a tenant's own work, and tenants of equal
 *   share. (Ranking aged rank before the share let a flood's backlog, aged to P1 while it waited, outrank
 *   every other tenant's fresh work exactly when the queue was saturated.) With a cap, a tenant's turns
 *   beyond the cap less its running jobs are not taken.
 * - A head is only taken when no other job of its entity is running, retrying, or earlier in event order
 *   (one probe of `jobs_entity_unfinished`), so order holds even while a head is being moved.
 * - A claim writes only leases, so it commits without waiting for its WAL to reach the disk
 *   (`synchronous_commit` off for its own transaction, set in the statement so that it costs no round
 *   trip). A database crash can lose a claim that committed in the last few hundred milliseconds: its jobs
 *   are queued again with their attempt uncounted, as if the lease had lapsed, and they run again under
 *   the same idempotency key. Nothing that acknowledges a side effect is written this way: a finish
 *   commits synchronously, and its WAL flush carries every earlier claim with it, so no finish outlives
 *   its claim.
 * - The lock re-checks the row as it is now (`FOR UPDATE … SKIP LOCKED` re-reads a row another claim
 *   changed); a row another claimer holds is skipped, not waited for. Should anything still try a second
 *   running job of an entity, `jobs_single_flight` refuses it.
 */
export function claimStatement(capped: boolean): string {
  // Running jobs per tenant (an index-only read of `jobs_leases`): the cap, and the tie-break that gives a
  // slot to the tenant running fewest when turns and ranks are equal.
  const running = `running AS (SELECT tenant_id, count(*) AS n FROM jobs WHERE status = 'running' GROUP BY tenant_id),`;
  const capFilter = capped ? `WHERE t.turn <= $6::integer - COALESCE(r.n, 0)` : '';
  return `WITH RECURSIVE tenants AS (
       (SELECT j.tenant_id FROM jobs j WHERE j.head AND j.status IN ('queued', 'retrying')
         ORDER BY j.tenant_id LIMIT 1)
       UNION ALL
       SELECT (SELECT j.tenant_id FROM jobs j
                WHERE j.head AND j.status IN ('queued', 'retrying') AND j.tenant_id > t.tenant_id
                ORDER BY j.tenant_id LIMIT 1)
         FROM tenants t WHERE t.tenant_id IS NOT NULL
     ), ${running} candidates AS (
       SELECT c.* FROM tenants t
        CROSS JOIN (VALUES ('P1'), ('P2'), ('P3'), ('P4')) AS p (priority)
        CROSS JOIN LATERAL (
          SELECT j.id, j.tenant_id, j.run_after, j.seq,
                 greatest(1, substr(j.priority, 2)::integer
                   - floor(extract(epoch FROM ($2::timestamptz - j.run_after)) / $5::double precision)::integer)
                   AS rank
            FROM jobs j
           WHERE j.tenant_id = t.tenant_id AND j.priority = p.priority
             AND j.head AND j.status IN ('queued', 'retrying') AND j.run_after <= $2::timestamptz
             AND NOT EXISTS (
               SELECT 1 FROM jobs e
                WHERE e.tenant_id = j.tenant_id AND e.entity_key = j.entity_key AND e.entity_key IS NOT NULL
                  AND e.status IN ('queued', 'running', 'retrying') AND e.id <> j.id
                  AND (e.status <> 'queued' OR e.seq < j.seq))
           ORDER BY j.run_after, j.seq LIMIT $3) AS c
        WHERE t.tenant_id IS NOT NULL
     ), turns AS (
       SELECT c.*, row_number() OVER (PARTITION BY c.tenant_id ORDER BY c.rank, c.run_after, c.seq) AS turn
         FROM candidates c
     ), picked AS (
       SELECT t.id, row_number() OVER (ORDER BY COALESCE(r.n, 0) + t.turn, t.rank, t.run_after, t.seq) AS ord
         FROM turns t LEFT JOIN running r ON r.tenant_id = t.tenant_id ${capFilter}
        ORDER BY COALESCE(r.n, 0) + t.turn, t.rank, t.run_after, t.seq
        LIMIT $3
     ), locked AS (
       SELECT j.id, p.ord FROM picked p, jobs j
        WHERE j.id = p.id AND j.head AND j.status IN ('queued', 'retrying') AND j.run_after <= $2::timestamptz
        FOR UPDATE OF j SKIP LOCKED
     ), claimed AS (
       UPDATE jobs SET status = 'running', lease_owner = $1, lease_until = $4, attempt_count = attempt_count + 1
         FROM locked WHERE jobs.id = locked.id
       RETURNING jobs.*, locked.ord
     ), attempts AS (
       INSERT INTO job_attempts (job_id, tenant_id, n, started_at)
       SELECT id, tenant_id, attempt_count, $2 FROM claimed
     ), lease_only AS (
       SELECT set_config('synchronous_commit', 'off', true) AS setting
     )
     ${READ_CLAIMED}`;
}

/**
 * Each claimed job as the claim left it, with its earlier attempts (the statement's own snapshot does not
 * see the attempt it inserts), its envelope, its trigger (null when deleted) and the result remembered
 * under its idempotency key (null when none has been, or it expired by $2).
 */
const READ_CLAIMED = `SELECT c.id, c.seq, c.tenant_id, c.trigger_id, c.event_id::text AS event_id, c.connection_id,
       c.priority, c.entity_key, c.event_tx::text AS event_tx, c.event_log::text AS event_log, c.status,
       c.created_at, c.idempotency_key, c.lease_until, c.attempt_count, c.traceparent AS job_traceparent,
       COALESCE((SELECT jsonb_agg(jsonb_build_object('started_at', a.started_at, 'status_code', a.status_code,
           'latency_ms', a.latency_ms, 'error', a.error) ORDER BY a.n)
         FROM job_attempts a WHERE a.job_id = c.id AND a.tenant_id = c.tenant_id), '[]'::jsonb) AS attempts,
       (SELECT to_jsonb(e) FROM envelopes e WHERE e.event_id = c.event_id AND e.tenant_id = c.tenant_id) AS envelope,
       (SELECT to_jsonb(t) - 'secret_ciphertext' FROM triggers t WHERE t.id = c.trigger_id AND t.tenant_id = c.tenant_id)
         AS trigger_row,
       (SELECT jsonb_build_object('job_id', r.job_id, 'result', r.result, 'expires_at', r.expires_at)
          FROM job_results r WHERE r.tenant_id = c.tenant_id AND r.key = c.idempotency_key AND r.expires_at > $2)
         AS remembered
  FROM claimed c CROSS JOIN lease_only ORDER BY c.ord`;

export type Row = Record<string, unknown>;

/** What one claim took: the jobs to run, and those whose event is gone (to fail with `failOrphans`). */
export interface ClaimTaken {
  readonly claimed: ClaimedJob[];
  readonly orphans: ReadonlyArray<Row>;
}

/**
 * One claim: picks, leases and reads what the executor needs, in one statement (so, outside a
 * transaction, it commits alone). A job whose event is gone cannot run: it is returned among `orphans`.
 */
export async function claimJobs(
  db: SqlExecutor,
  request: JobClaimRequest,
  now: Date,
  agingMs: number,
): Promise<ClaimTaken> {
  const capped = request.tenantConcurrency !== undefined;
  const params: unknown[] = [
    request.owner,
    now,
    request.limit,
    new Date(now.getTime() + request.leaseMs),
    agingMs / 1000,
  ];
  if (capped) params.push(request.tenantConcurrency);
  const rows = await db.query(claimStatement(capped), params);
  const claimed: ClaimedJob[] = [];
  const orphans: Row[] = [];
  for (const row of rows) {
    if (row['envelope'] === null || row['envelope'] === undefined) {
      orphans.push(row);
      continue;
    }
    const attempt = Number(row['attempt_count']);
    const earlier = toJob(row);
    // The attempt this claim started, as a read after it would show it.
    const job = {
      ...earlier,
      attempts: [
        ...earlier.attempts,
        { started_at: now.toISOString(), status_code: null, latency_ms: null, error: null },
      ],
    };
    claimed.push({
      job,
      attempt,
      envelope: toEnvelope(row['envelope'] as Row),
      trigger:
        row['trigger_row'] === null || row['trigger_row'] === undefined
          ? null
          : toTrigger(row['trigger_row'] as Row),
      idempotency_key: job.idempotency_key ?? `${job.trigger_id}:${job.event_id}`,
      lease_until: iso(row['lease_until']),
      traceparent: typeof row['job_traceparent'] === 'string' ? row['job_traceparent'] : null,
      remembered: rememberedOf(row['remembered']),
    });
  }
  return { claimed, orphans };
}

function rememberedOf(value: unknown): RememberedResult | null {
  if (value === null || value === undefined) return null;
  const row = value as Row;
  return { job_id: String(row['job_id']), result: row['result'] ?? null, expires_at: iso(row['expires_at']) };
}

/** Fails claimed jobs whose event is not in the store (they cannot run) and releases their entities. */
export async function failOrphans(tx: SqlExecutor, rows: ReadonlyArray<Row>, now: Date): Promise<void> {
  const jobs = rows.map((row) => ({
    tenant_id: String(row['tenant_id']),
    entity_key: row['entity_key'] === null ? null : String(row['entity_key']),
  }));
  const entities = entitiesOf(jobs);
  await lockEntities(tx, entities);
  await tx.query(
    `UPDATE jobs SET status = 'failed', head = false, lease_owner = NULL, lease_until = NULL, finished_at = $2,
            last_error = 'the event of this job is not in the store'
      WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))`,
    [JSON.stringify(rows.map((row) => String(row['id']))), now],
  );
  await settleHeads(tx, entities);
}
