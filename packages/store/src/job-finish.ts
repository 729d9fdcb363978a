import type { AppendInput, JobFinish, JobOutcome } from '@sluice/core';
import { appendFacts } from './append-facts.ts';
import { upsertJobDeadLetter } from './dead-letter-insert.ts';
import { entitiesOf, settleHeads } from './job-entity-heads.ts';
import type { SqlExecutor } from './sql-client.ts';

/** The job's state after an outcome: its status, and whether it still holds its entity. */
const NEXT_STATUS: Readonly<Record<JobOutcome['kind'], string>> = {
  succeeded: 'succeeded',
  retry: 'retrying',
  dead_lettered: 'dead_lettered',
  skipped: 'skipped',
};

/** One finish as the statements take it: the job's next state, its attempt's record and its result. */
function rowOf({ job_id, outcome }: JobFinish, ord: number, now: Date) {
  const attempt = outcome.kind === 'skipped' ? null : outcome.attempt;
  const latency = attempt?.latency_ms;
  return {
    id: job_id,
    ord,
    status: NEXT_STATUS[outcome.kind],
    error: outcome.kind === 'skipped' ? outcome.reason : (attempt?.error ?? null),
    run_after: outcome.kind === 'retry' ? outcome.run_after : null,
    // A retry keeps the job its entity's head; every other outcome releases the entity.
    releases: outcome.kind !== 'retry',
    started_at: attempt?.started_at ?? null,
    status_code: attempt?.status_code ?? null,
    latency_ms: latency === null || latency === undefined ? null : Math.round(latency),
    // A succeeded job's result is remembered under its idempotency key until this time.
    remember_until:
      outcome.kind === 'succeeded' ? new Date(now.getTime() + outcome.result_ttl_ms).toISOString() : null,
    result: outcome.kind === 'succeeded' ? (outcome.result ?? null) : null,
  };
}

/**
 * The finish's writes to the jobs it holds, in one statement: each job's next state (rows locked in id
 * order, as the heartbeat locks them, so the two never deadlock), its attempt's status, latency and error,
 * and a succeeded job's result under its idempotency key — of two jobs of one batch with the same key
 * (a shared template) the later one's, as two finishes one after the other would leave it. $1 the
 * finishes, $2 the owner, $3 now. Returns the jobs it finished.
 */
const FINISH_HELD = `WITH f AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS f(id text, ord integer, status text, error text,
         run_after timestamptz, releases boolean, started_at timestamptz, status_code integer, latency_ms integer,
         remember_until timestamptz, result jsonb)
     ), mine AS (
       SELECT j.id FROM jobs j
        WHERE j.id IN (SELECT id FROM f) AND j.status = 'running' AND j.lease_owner = $2
        ORDER BY j.id FOR UPDATE
     ), done AS (
       UPDATE jobs SET status = f.status, lease_owner = NULL, lease_until = NULL, last_error = f.error,
              run_after = COALESCE(f.run_after, jobs.run_after),
              head = CASE WHEN f.releases THEN false ELSE jobs.head END,
              finished_at = CASE WHEN f.releases THEN $3::timestamptz ELSE NULL END
         FROM f, mine WHERE jobs.id = f.id AND jobs.id = mine.id
       RETURNING jobs.id, jobs.tenant_id, jobs.entity_key, jobs.idempotency_key, jobs.attempt_count
     ), attempted AS (
       UPDATE job_attempts a SET started_at = COALESCE(f.started_at, a.started_at), status_code = f.status_code,
              latency_ms = f.latency_ms, error = f.error
         FROM done d JOIN f ON f.id = d.id
        WHERE a.job_id = d.id AND a.n = d.attempt_count
     ), remembered AS (
       INSERT INTO job_results (tenant_id, key, job_id, result, expires_at)
       SELECT DISTINCT ON (d.tenant_id, d.idempotency_key) d.tenant_id, d.idempotency_key, d.id,
              COALESCE(f.result, 'null'::jsonb), f.remember_until
         FROM done d JOIN f ON f.id = d.id
        WHERE f.remember_until IS NOT NULL
        ORDER BY d.tenant_id, d.idempotency_key, f.ord DESC
       ON CONFLICT (tenant_id, key) DO UPDATE
         SET job_id = EXCLUDED.job_id, result = EXCLUDED.result, expires_at = EXCLUDED.expires_at
     )
     SELECT id, tenant_id, entity_key FROM done`;

/**
 * Checks which of the jobs `owner` holds and takes their entities' advisory locks, in one statement, before
 * any row lock (the order every change of an entity's next job takes them in; see `lockEntities`). An
 * entity never changes, so the snapshot names the right ones; the writes after it re-check the lease.
 */
const HOLD_AND_LOCK = `WITH held AS (
       SELECT tenant_id, entity_key FROM jobs
        WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)) AND status = 'running' AND lease_owner = $2
     ), locks AS (
       SELECT pg_advisory_xact_lock(k) FROM (
         SELECT DISTINCT hashtextextended('sluice.job.entity/' || tenant_id || '/' || entity_key, 0) AS k
           FROM held WHERE entity_key IS NOT NULL ORDER BY k) AS keys
     )
     SELECT (SELECT count(*) FROM held)::integer AS held, (SELECT count(*) FROM locks)::integer AS locked`;

/**
 * Records how `owner`'s attempts of some jobs ended, inside the caller's transaction: each attempt's
 * status, latency and error, each job's next state, and what each outcome brings with it — the remembered
 * result (succeeded), the dead letter (dead_lettered), the facts (always). A retry keeps the job its
 * entity's head, so nothing later of that entity runs first; every other outcome releases the entity to
 * its next job. Returns, per finish, whether `owner` held the job; a job it does not hold is left as it is.
 * However many finishes, it takes the same statements: the lease check with the entity locks, the writes
 * to the jobs, their attempts and results, the next heads, and the facts.
 */
export async function finishJobs(
  tx: SqlExecutor,
  owner: string,
  finishes: ReadonlyArray<JobFinish>,
  now: Date,
): Promise<boolean[]> {
  if (finishes.length === 0) return [];
  const rows = finishes.map((finish, ord) => rowOf(finish, ord, now));
  const [hold] = await tx.query<{ held: number }>(HOLD_AND_LOCK, [
    JSON.stringify(rows.map((row) => row.id)),
    owner,
  ]);
  if ((hold?.held ?? 0) === 0) return finishes.map(() => false);
  const done = await tx.query<{ id: string; tenant_id: string; entity_key: string | null }>(FINISH_HELD, [
    JSON.stringify(rows),
    owner,
    now,
  ]);
  if (done.length === 0) return finishes.map(() => false);
  const byId = new Map(done.map((job) => [job.id, job]));
  for (const { job_id, outcome } of finishes) {
    const job = byId.get(job_id);
    if (job === undefined || outcome.kind !== 'dead_lettered') continue;
    await upsertJobDeadLetter(tx, { ...outcome.dead_letter, tenant_id: job.tenant_id, kind: 'job', job_id });
  }
  const released = rows.filter((row) => row.releases).map((row) => byId.get(row.id));
  await settleHeads(tx, entitiesOf(released.filter((job) => job !== undefined)));
  const facts: AppendInput[] = finishes.flatMap((finish) =>
    byId.has(finish.job_id) ? (finish.facts ?? []) : [],
  );
  await appendFacts(tx, facts, now);
  return finishes.map((finish) => byId.has(finish.job_id));
}
