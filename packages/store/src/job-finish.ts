import type { AppendInput, JobFinish, JobOutcome } from '@sluice/core';
import { appendFacts } from './append-facts.ts';
import { upsertJobDeadLetter } from './dead-letter-insert.ts';
import { entitiesOf, lockEntities, settleHeads } from './job-entity-heads.ts';
import type { SqlExecutor } from './sql-client.ts';

/** The job's state after an outcome: its status, and whether it still holds its entity. */
const NEXT_STATUS: Readonly<Record<JobOutcome['kind'], string>> = {
  succeeded: 'succeeded',
  retry: 'retrying',
  dead_lettered: 'dead_lettered',
  skipped: 'skipped',
};

/** One finish as the statements take it: the job's next state and its attempt's record. */
function rowOf({ job_id, outcome }: JobFinish) {
  const attempt = outcome.kind === 'skipped' ? null : outcome.attempt;
  const latency = attempt?.latency_ms;
  return {
    id: job_id,
    status: NEXT_STATUS[outcome.kind],
    error: outcome.kind === 'skipped' ? outcome.reason : (attempt?.error ?? null),
    run_after: outcome.kind === 'retry' ? outcome.run_after : null,
    // A retry keeps the job its entity's head; every other outcome releases the entity.
    releases: outcome.kind !== 'retry',
    started_at: attempt?.started_at ?? null,
    status_code: attempt?.status_code ?? null,
    latency_ms: latency === null || latency === undefined ? null : Math.round(latency),
  };
}

/**
 * Records how `owner`'s attempts of some jobs ended, inside the caller's transaction, with one statement per
 * step for all of them: each attempt's status, latency and error, each job's next state, and what each
 * outcome brings with it — the remembered result (succeeded), the dead letter (dead_lettered), the facts
 * (always). A retry keeps the job its entity's head, so nothing later of that entity runs first; every other
 * outcome releases the entity to its next job. Returns, per finish, whether `owner` held the job; a job it
 * does not hold is left as it is.
 */
export async function finishJobs(
  tx: SqlExecutor,
  owner: string,
  finishes: ReadonlyArray<JobFinish>,
  now: Date,
): Promise<boolean[]> {
  if (finishes.length === 0) return [];
  const rows = finishes.map(rowOf);
  // The entities' locks come before the rows', in the order every change of an entity's next job takes them.
  const held = await tx.query<{ tenant_id: string; entity_key: string | null }>(
    `SELECT tenant_id, entity_key FROM jobs
      WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)) AND status = 'running' AND lease_owner = $2`,
    [JSON.stringify(rows.map((row) => row.id)), owner],
  );
  if (held.length === 0) return finishes.map(() => false);
  await lockEntities(tx, entitiesOf(held));
  // Rows are locked in id order (as the heartbeat locks them), so the two never deadlock.
  const done = await tx.query<{
    id: string;
    tenant_id: string;
    entity_key: string | null;
    idempotency_key: string;
    attempt_count: number;
  }>(
    `WITH f AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS f(id text, status text, error text, run_after timestamptz, releases boolean)
     ), mine AS (
       SELECT j.id FROM jobs j
        WHERE j.id IN (SELECT id FROM f) AND j.status = 'running' AND j.lease_owner = $2
        ORDER BY j.id FOR UPDATE
     )
     UPDATE jobs SET status = f.status, lease_owner = NULL, lease_until = NULL, last_error = f.error,
            run_after = COALESCE(f.run_after, jobs.run_after),
            head = CASE WHEN f.releases THEN false ELSE jobs.head END,
            finished_at = CASE WHEN f.releases THEN $3::timestamptz ELSE NULL END
       FROM f, mine WHERE jobs.id = f.id AND jobs.id = mine.id
     RETURNING jobs.id, jobs.tenant_id, jobs.entity_key, jobs.idempotency_key, jobs.attempt_count`,
    [JSON.stringify(rows), owner, now],
  );
  if (done.length === 0) return finishes.map(() => false);
  const byId = new Map(done.map((job) => [job.id, job]));
  const mine = rows.filter((row) => byId.has(row.id));
  await tx.query(
    `UPDATE job_attempts a SET started_at = COALESCE(f.started_at, a.started_at), status_code = f.status_code,
            latency_ms = f.latency_ms, error = f.error
       FROM jsonb_to_recordset($1::jsonb)
         AS f(id text, n integer, started_at timestamptz, status_code integer, latency_ms integer, error text)
      WHERE a.job_id = f.id AND a.n = f.n`,
    [JSON.stringify(mine.map((row) => ({ ...row, n: byId.get(row.id)?.attempt_count })))],
  );
  await rememberResults(tx, finishes, byId, now);
  for (const { job_id, outcome } of finishes) {
    const job = byId.get(job_id);
    if (job === undefined || outcome.kind !== 'dead_lettered') continue;
    await upsertJobDeadLetter(tx, { ...outcome.dead_letter, tenant_id: job.tenant_id, kind: 'job', job_id });
  }
  const released = mine.filter((row) => row.releases).map((row) => byId.get(row.id));
  await settleHeads(tx, entitiesOf(released.filter((job) => job !== undefined)));
  const facts: AppendInput[] = finishes.flatMap((finish) =>
    byId.has(finish.job_id) ? (finish.facts ?? []) : [],
  );
  await appendFacts(tx, facts, now);
  return finishes.map((finish) => byId.has(finish.job_id));
}

/**
 * Stores each succeeded job's result under its idempotency key. Two jobs of one batch with the same key
 * (a shared template) keep the later one's, as two finishes one after the other would.
 */
async function rememberResults(
  tx: SqlExecutor,
  finishes: ReadonlyArray<JobFinish>,
  jobs: ReadonlyMap<string, { tenant_id: string; idempotency_key: string }>,
  now: Date,
): Promise<void> {
  const results = new Map<string, object>();
  for (const { job_id, outcome } of finishes) {
    const job = jobs.get(job_id);
    if (job === undefined || outcome.kind !== 'succeeded') continue;
    results.set(`${job.tenant_id}\u0000${job.idempotency_key}`, {
      tenant_id: job.tenant_id,
      key: job.idempotency_key,
      job_id,
      result: outcome.result ?? null,
      expires_at: new Date(now.getTime() + outcome.result_ttl_ms).toISOString(),
    });
  }
  if (results.size === 0) return;
  await tx.query(
    `INSERT INTO job_results (tenant_id, key, job_id, result, expires_at)
     SELECT tenant_id, key, job_id, COALESCE(result, 'null'::jsonb), expires_at
       FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, key text, job_id text, result jsonb, expires_at timestamptz)
     ON CONFLICT (tenant_id, key) DO UPDATE
       SET job_id = EXCLUDED.job_id, result = EXCLUDED.result, expires_at = EXCLUDED.expires_at`,
    [JSON.stringify([...results.values()])],
  );
}
