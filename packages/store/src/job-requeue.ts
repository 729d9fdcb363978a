import type { Job } from '@sluice/core';
import { lockEntities, settleHeads } from './job-entity-heads.ts';
import type { SqlExecutor } from './sql-client.ts';
import { SELECT_JOBS, toJob } from './sql-job-store.ts';

/**
 * Queues a dead-lettered or failed job again inside the caller's transaction, keeping its idempotency
 * key (so a delivery carries the same `webhook-id`); the entity's head is settled as for any change of
 * its next job. Null when the tenant has no such job in a failed state. The caller retries a
 * single-flight race (`withConflictRetry`).
 */
export async function requeueJob(
  tx: SqlExecutor,
  tenantId: string,
  jobId: string,
  now: Date,
): Promise<Job | null> {
  const [found] = await tx.query<{ entity_key: string | null }>(
    `SELECT entity_key FROM jobs WHERE tenant_id = $1 AND id = $2 AND status IN ('dead_lettered', 'failed')`,
    [tenantId, jobId],
  );
  if (found === undefined) return null;
  const entities = found.entity_key === null ? [] : [{ tenant_id: tenantId, entity_key: found.entity_key }];
  await lockEntities(tx, entities);
  const updated = await tx.query(
    `UPDATE jobs SET status = 'queued', run_after = $3, finished_at = NULL, lease_owner = NULL,
            lease_until = NULL, head = entity_key IS NULL
      WHERE tenant_id = $1 AND id = $2 AND status IN ('dead_lettered', 'failed') RETURNING id`,
    [tenantId, jobId, now],
  );
  if (updated.length === 0) return null;
  await settleHeads(tx, entities);
  const [row] = await tx.query(`${SELECT_JOBS} WHERE j.tenant_id = $1 AND j.id = $2`, [tenantId, jobId]);
  return row === undefined ? null : toJob(row);
}
