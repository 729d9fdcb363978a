import type { SqlExecutor } from './sql-client.ts';

/**
 * Applies the triggers' single-flight modes to jobs just created, inside their transaction and under their
 * entities' locks, so it is decided once, when the job is made:
 *
 * - `skip`: a new job whose entity already has an earlier unfinished job (or a running one) is finished
 *   as `skipped` at once instead of waiting;
 * - `latest`: of an entity's queued jobs of one trigger, only the newest (last created) stays; the
 *   older ones become `skipped`.
 *
 * `queue` (the default) leaves every job waiting its turn. Returns how many jobs were skipped.
 */
export async function applySingleFlightModes(
  tx: SqlExecutor,
  createdIds: ReadonlyArray<string>,
  now: Date,
): Promise<number> {
  if (createdIds.length === 0) return 0;
  const ids = JSON.stringify(createdIds);
  const skipped = await tx.query(
    `WITH created AS (SELECT jsonb_array_elements_text($1::jsonb) AS id)
     UPDATE jobs n SET status = 'skipped', head = false, finished_at = $2,
            last_error = 'single_flight skip: the entity already had an unfinished job'
       FROM created c, triggers t
      WHERE n.id = c.id AND n.entity_key IS NOT NULL AND n.status = 'queued'
        AND t.tenant_id = n.tenant_id AND t.id = n.trigger_id AND t.single_flight = 'skip'
        AND EXISTS (
          SELECT 1 FROM jobs e
           WHERE e.tenant_id = n.tenant_id AND e.entity_key = n.entity_key AND e.entity_key IS NOT NULL
             AND e.status IN ('queued', 'running', 'retrying') AND e.id <> n.id
             AND (e.status <> 'queued' OR e.seq < n.seq))
     RETURNING n.id`,
    [ids, now],
  );
  const superseded = await tx.query(
    `WITH created AS (SELECT jsonb_array_elements_text($1::jsonb) AS id),
     lines AS (
       SELECT DISTINCT j.tenant_id, j.entity_key, j.trigger_id FROM jobs j JOIN created c ON c.id = j.id
         JOIN triggers t ON t.tenant_id = j.tenant_id AND t.id = j.trigger_id AND t.single_flight = 'latest'
        WHERE j.entity_key IS NOT NULL
     ), newest AS (
       SELECT DISTINCT ON (q.tenant_id, q.entity_key, q.trigger_id) q.id, q.tenant_id, q.entity_key, q.trigger_id
         FROM jobs q JOIN lines l
           ON l.tenant_id = q.tenant_id AND l.entity_key = q.entity_key AND l.trigger_id = q.trigger_id
        WHERE q.status IN ('queued', 'running', 'retrying') AND q.status = 'queued'
        ORDER BY q.tenant_id, q.entity_key, q.trigger_id, q.seq DESC
     )
     UPDATE jobs o SET status = 'skipped', head = false, finished_at = $2,
            last_error = 'single_flight latest: superseded by a newer job of the entity'
       FROM newest w
      WHERE o.tenant_id = w.tenant_id AND o.entity_key = w.entity_key AND o.entity_key IS NOT NULL
        AND o.trigger_id = w.trigger_id AND o.status IN ('queued', 'running', 'retrying')
        AND o.status = 'queued' AND o.id <> w.id
     RETURNING o.id`,
    [ids, now],
  );
  return skipped.length + superseded.length;
}
