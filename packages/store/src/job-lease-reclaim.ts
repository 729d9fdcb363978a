import type { SqlExecutor } from './sql-client.ts';

/** The error a lost attempt is recorded with. */
export const LEASE_LAPSED = 'lease lapsed';

/**
 * Puts running jobs whose lease ran out by `now` back in the queue, inside the caller's transaction: the
 * executor that held them is presumed dead. The job stays its entity's head (it is still the earliest), so
 * it is the next of its entity to run; its attempt is kept, marked lost. Rows another transaction holds
 * (an executor finishing just now) are skipped, not waited for. Returns how many were reclaimed.
 */
export async function reclaimLapsedLeases(tx: SqlExecutor, now: Date, limit = 1000): Promise<number> {
  const rows = await tx.query(
    `WITH lapsed AS (
       SELECT id, attempt_count FROM jobs
        WHERE status = 'running' AND lease_until <= $1
        ORDER BY lease_until LIMIT $2
        FOR UPDATE SKIP LOCKED
     ), requeued AS (
       UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_until = NULL, last_error = $3
         FROM lapsed WHERE jobs.id = lapsed.id AND jobs.status = 'running'
       RETURNING jobs.id, jobs.attempt_count
     ), lost AS (
       UPDATE job_attempts a SET error = $3
         FROM requeued r WHERE a.job_id = r.id AND a.n = r.attempt_count AND a.error IS NULL
     )
     SELECT id FROM requeued`,
    [now, limit, LEASE_LAPSED],
  );
  return rows.length;
}
