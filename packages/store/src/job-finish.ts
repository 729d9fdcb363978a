import type { AppendInput, JobOutcome } from '@sluice/core';
import { appendFacts } from './append-facts.ts';
import { upsertJobDeadLetter } from './dead-letter-insert.ts';
import { lockEntities, settleHeads } from './job-entity-heads.ts';
import type { SqlExecutor } from './sql-client.ts';

/** The job's state after an outcome: its status, and whether it still holds its entity. */
const NEXT_STATUS: Readonly<Record<JobOutcome['kind'], string>> = {
  succeeded: 'succeeded',
  retry: 'retrying',
  dead_lettered: 'dead_lettered',
  skipped: 'skipped',
};

/**
 * Records how `owner`'s attempt of a job ended, inside the caller's transaction: the attempt's status,
 * latency and error, the job's next state, and what the outcome brings with it — the remembered result
 * (succeeded), the dead letter (dead_lettered), the facts (always). A retry keeps the job its entity's
 * head, so nothing later of that entity runs first; every other outcome releases the entity to its next
 * job. False, with nothing written, when `owner` does not hold the job.
 */
export async function finishJob(
  tx: SqlExecutor,
  owner: string,
  jobId: string,
  outcome: JobOutcome,
  facts: ReadonlyArray<AppendInput> | undefined,
  now: Date,
): Promise<boolean> {
  // The entity's lock comes before the row's, in the order every change of an entity's next job takes them.
  const [held] = await tx.query<{ tenant_id: string; entity_key: string | null }>(
    `SELECT tenant_id, entity_key FROM jobs WHERE id = $1 AND status = 'running' AND lease_owner = $2`,
    [jobId, owner],
  );
  if (held === undefined) return false;
  const entities =
    held.entity_key === null ? [] : [{ tenant_id: held.tenant_id, entity_key: held.entity_key }];
  await lockEntities(tx, entities);
  const releases = outcome.kind !== 'retry';
  const attempt = outcome.kind === 'skipped' ? null : outcome.attempt;
  const error = outcome.kind === 'skipped' ? outcome.reason : (attempt?.error ?? null);
  const [job] = await tx.query<{ tenant_id: string; idempotency_key: string; attempt_count: number }>(
    `UPDATE jobs SET status = $3, lease_owner = NULL, lease_until = NULL, last_error = $4,
            run_after = COALESCE($5::timestamptz, run_after),
            head = CASE WHEN $6::boolean THEN false ELSE head END,
            finished_at = CASE WHEN $6::boolean THEN $7::timestamptz ELSE NULL END
      WHERE id = $1 AND status = 'running' AND lease_owner = $2
      RETURNING tenant_id, idempotency_key, attempt_count`,
    [
      jobId,
      owner,
      NEXT_STATUS[outcome.kind],
      error,
      outcome.kind === 'retry' ? outcome.run_after : null,
      releases,
      now,
    ],
  );
  if (job === undefined) return false;
  await tx.query(
    `UPDATE job_attempts SET started_at = COALESCE($3::timestamptz, started_at), status_code = $4,
            latency_ms = $5, error = $6
      WHERE job_id = $1 AND n = $2`,
    [
      jobId,
      job.attempt_count,
      attempt?.started_at ?? null,
      attempt?.status_code ?? null,
      attempt?.latency_ms === null || attempt?.latency_ms === undefined
        ? null
        : Math.round(attempt.latency_ms),
      error,
    ],
  );
  if (outcome.kind === 'succeeded') {
    await tx.query(
      `INSERT INTO job_results (tenant_id, key, job_id, result, expires_at) VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (tenant_id, key) DO UPDATE
         SET job_id = EXCLUDED.job_id, result = EXCLUDED.result, expires_at = EXCLUDED.expires_at`,
      [
        job.tenant_id,
        job.idempotency_key,
        jobId,
        JSON.stringify(outcome.result ?? null),
        new Date(now.getTime() + outcome.result_ttl_ms),
      ],
    );
  }
  if (outcome.kind === 'dead_lettered') {
    await upsertJobDeadLetter(tx, {
      ...outcome.dead_letter,
      tenant_id: job.tenant_id,
      kind: 'job',
      job_id: jobId,
    });
  }
  if (releases) await settleHeads(tx, entities);
  await appendFacts(tx, facts, now);
  return true;
}
