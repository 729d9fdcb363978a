import type { SqlExecutor } from './sql-client.ts';

/** One entity of one tenant: the unit of single-flight. */
export interface EntityRef {
  readonly tenant_id: string;
  readonly entity_key: string;
}

/** The distinct entities among `jobs`, in a fixed order (locks are taken in it). */
export function entitiesOf(
  jobs: ReadonlyArray<{ readonly tenant_id: string; readonly entity_key: string | null }>,
): EntityRef[] {
  const seen = new Map<string, EntityRef>();
  for (const job of jobs) {
    if (job.entity_key === null) continue;
    seen.set(`${job.tenant_id}\u0000${job.entity_key}`, {
      tenant_id: job.tenant_id,
      entity_key: job.entity_key,
    });
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, ref]) => ref);
}

/**
 * Takes a transaction-scoped advisory lock per entity, in hash order, so every change that decides which
 * job of an entity runs next (creating, finishing, requeueing, reclaiming) sees the others' result instead
 * of racing them. Claims take none: they only start the head, which changes no entity's next job.
 */
export async function lockEntities(tx: SqlExecutor, entities: ReadonlyArray<EntityRef>): Promise<void> {
  if (entities.length === 0) return;
  await tx.query(
    `SELECT pg_advisory_xact_lock(k) FROM (
       SELECT DISTINCT hashtextextended('sluice.job.entity/' || tenant_id || '/' || entity_key, 0) AS k
         FROM jsonb_to_recordset($1::jsonb) AS e(tenant_id text, entity_key text) ORDER BY k) AS keys`,
    [JSON.stringify(entities)],
  );
}

/**
 * Marks the job each entity runs next as its head and every other unfinished job of it as not: its running
 * or retrying job when it has one, else its earliest queued job in creation order (which is
 * event order: the router creates one connection's jobs in its sequence order). Each entity costs a few index probes, however many jobs wait behind its head. Callers hold the
 * entities' locks.
 */
export async function settleHeads(tx: SqlExecutor, entities: ReadonlyArray<EntityRef>): Promise<void> {
  if (entities.length === 0) return;
  await tx.query(
    `WITH touched AS (
       SELECT DISTINCT tenant_id, entity_key FROM jsonb_to_recordset($1::jsonb) AS e(tenant_id text, entity_key text)
     ), desired AS (
       SELECT t.tenant_id, t.entity_key, COALESCE(
         (SELECT a.id FROM jobs a
           WHERE a.tenant_id = t.tenant_id AND a.entity_key = t.entity_key AND a.entity_key IS NOT NULL
             AND a.status IN ('running', 'retrying') LIMIT 1),
         (SELECT q.id FROM jobs q
           WHERE q.tenant_id = t.tenant_id AND q.entity_key = t.entity_key AND q.entity_key IS NOT NULL
             AND q.status IN ('queued', 'running', 'retrying') AND q.status = 'queued'
           ORDER BY q.seq LIMIT 1)) AS id
         FROM touched t
     ), demoted AS (
       UPDATE jobs j SET head = false FROM desired d
        WHERE j.head AND j.entity_key IS NOT NULL AND j.tenant_id = d.tenant_id AND j.entity_key = d.entity_key
          AND j.id IS DISTINCT FROM d.id
       RETURNING j.id
     )
     UPDATE jobs j SET head = true FROM desired d
      WHERE j.id = d.id AND NOT j.head AND j.id NOT IN (SELECT id FROM demoted)`,
    [JSON.stringify(entities)],
  );
}
