import {
  isUuid,
  JOB_STATUSES,
  type Job,
  type JobAttempt,
  type JobFilter,
  type JobStatus,
  type JobStore,
  type NewJob,
  newId,
  type Page,
  type PageRequest,
  type Priority,
  SluiceError,
} from '@sluice/core';
import { withConflictRetry } from './conflict-retry.ts';
import { entitiesOf, lockEntities, settleHeads } from './job-entity-heads.ts';
import { applySingleFlightModes } from './job-single-flight.ts';
import { formatPosition, parsePosition } from './position.ts';
import { iso } from './row-mappers.ts';
import type { SqlClient } from './sql-client.ts';

type Row = Record<string, unknown>;

/** A job's columns, its position as text and its attempts (in order) gathered in the same statement. */
export const SELECT_JOBS = `SELECT j.id, j.seq, j.tenant_id, j.trigger_id, j.event_id::text AS event_id, j.connection_id,
    j.priority, j.entity_key, j.event_tx::text AS event_tx, j.event_log::text AS event_log, j.status, j.created_at,
    j.idempotency_key,
    COALESCE((SELECT jsonb_agg(jsonb_build_object('started_at', a.started_at, 'status_code', a.status_code,
        'latency_ms', a.latency_ms, 'error', a.error) ORDER BY a.n)
      FROM job_attempts a WHERE a.job_id = j.id AND a.tenant_id = j.tenant_id), '[]'::jsonb) AS attempts
  FROM jobs j`;

const numberOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

function toAttempt(value: Record<string, unknown>): JobAttempt {
  return {
    started_at: iso(value['started_at']),
    status_code: numberOrNull(value['status_code']),
    latency_ms: numberOrNull(value['latency_ms']),
    error: value['error'] === null || value['error'] === undefined ? null : String(value['error']),
  };
}

export function toJob(row: Row): Job {
  const status = row['status'];
  return {
    id: String(row['id']),
    tenant_id: String(row['tenant_id']),
    trigger_id: String(row['trigger_id']),
    event_id: String(row['event_id']),
    connection_id: String(row['connection_id']),
    priority: String(row['priority']) as Priority,
    entity_key:
      row['entity_key'] === null || row['entity_key'] === undefined ? null : String(row['entity_key']),
    position: formatPosition(String(row['event_tx']), String(row['event_log'])),
    status: (JOB_STATUSES as ReadonlyArray<unknown>).includes(status) ? (status as JobStatus) : 'queued',
    ...(row['idempotency_key'] === null || row['idempotency_key'] === undefined
      ? {}
      : { idempotency_key: String(row['idempotency_key']) }),
    created_at: iso(row['created_at']),
    attempts: ((row['attempts'] ?? []) as Array<Record<string, unknown>>).map(toAttempt),
  };
}

/**
 * Jobs over SQL. `createMany` is one transaction: it locks the new jobs' entities (in a fixed order), takes
 * sequence numbers (creation order) in the order given, inserts the rows in key order with
 * `ON CONFLICT DO NOTHING` on the unique `(tenant_id, event_id, trigger_id)`, so concurrent routers with
 * overlapping jobs wait for each other's key instead of deadlocking and each job is created exactly once,
 * then applies the triggers' single-flight modes and settles which job of each entity runs next. Reads
 * are scoped by tenant.
 */
export class SqlJobStore implements JobStore {
  readonly #db: SqlClient;
  readonly #now: () => Date;

  constructor(db: SqlClient, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  async createMany(jobs: ReadonlyArray<NewJob>): Promise<number> {
    // The first of repeats in one call wins (the statement's key order would otherwise pick one).
    const seen = new Set<string>();
    const rows = [];
    for (const job of jobs) {
      const key = `${job.tenant_id}\u0000${job.event_id}\u0000${job.trigger_id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const { tx, log } = parsePosition(job.position);
      rows.push({
        n: rows.length,
        id: newId('job'),
        tenant_id: job.tenant_id,
        trigger_id: job.trigger_id,
        event_id: job.event_id,
        connection_id: job.connection_id,
        priority: job.priority,
        entity_key: job.entity_key,
        event_tx: tx,
        event_log: log,
        idempotency_key: job.idempotency_key ?? `${job.trigger_id}:${job.event_id}`,
        traceparent: job.traceparent ?? null,
      });
    }
    if (rows.length === 0) return 0;
    const entities = entitiesOf(rows);
    const params = [JSON.stringify(rows), this.#now()];
    // The transaction is idempotent: a conflict the database broke off is safe to run again.
    return withConflictRetry(() =>
      this.#db.transaction(async (tx) => {
        await lockEntities(tx, entities);
        const created = await tx.query<{ id: string }>(
          `WITH input AS (
             SELECT j.*, nextval(pg_get_serial_sequence('jobs', 'seq')) AS seq
               FROM jsonb_to_recordset($1::jsonb) AS j(n integer, id text, tenant_id text, trigger_id text,
                 event_id uuid, connection_id text, priority text, entity_key text, event_tx text, event_log bigint,
                 idempotency_key text, traceparent text)
              ORDER BY j.n
           ), placed AS (
             SELECT i.*, i.entity_key IS NULL OR (
                 row_number() OVER (PARTITION BY i.tenant_id, i.entity_key ORDER BY i.seq) = 1
                 AND NOT EXISTS (
                   SELECT 1 FROM jobs e
                    WHERE e.tenant_id = i.tenant_id AND e.entity_key = i.entity_key AND e.entity_key IS NOT NULL
                      AND e.status IN ('queued', 'running', 'retrying'))) AS head
               FROM input i
           )
           INSERT INTO jobs (id, seq, tenant_id, trigger_id, event_id, connection_id, priority, entity_key,
             event_tx, event_log, created_at, run_after, idempotency_key, head, traceparent)
           SELECT id, seq, tenant_id, trigger_id, event_id, connection_id, priority, entity_key, event_tx::xid8,
             event_log, $2, $2, idempotency_key, head, traceparent
             FROM placed ORDER BY tenant_id, event_id, trigger_id
           ON CONFLICT (tenant_id, event_id, trigger_id) DO NOTHING
           RETURNING id`,
          params,
        );
        if (entities.length > 0 && created.length > 0) {
          const changed = await applySingleFlightModes(
            tx,
            created.map((row) => row.id),
            params[1] as Date,
          );
          // The insert made each entity's first new job its head when nothing of it was unfinished, which is
          // what `settleHeads` decides, unless a row was a repeat (the head it assumed may not exist) or a
          // single-flight mode skipped one.
          if (changed > 0 || created.length < rows.length) await settleHeads(tx, entities);
        }
        return created.length;
      }),
    );
  }

  async get(tenantId: string, id: string): Promise<Job | null> {
    const [row] = await this.#db.query(`${SELECT_JOBS} WHERE j.tenant_id = $1 AND j.id = $2`, [tenantId, id]);
    return row === undefined ? null : toJob(row);
  }

  async list(tenantId: string, filter: JobFilter, page: PageRequest): Promise<Page<Job>> {
    if (filter.event_id !== undefined && !isUuid(filter.event_id)) return { items: [], next: null };
    const descending = page.order === 'desc';
    let afterSeq: string | null = null;
    if (page.after !== undefined) {
      const [cursor] = await this.#db.query<{ seq: string }>(
        'SELECT seq::text AS seq FROM jobs WHERE tenant_id = $1 AND id = $2',
        [tenantId, page.after],
      );
      if (cursor === undefined) {
        throw new SluiceError('invalid_cursor', `The cursor "${page.after}" is not a job of this tenant.`);
      }
      afterSeq = cursor.seq;
    }
    const rows = await this.#db.query(
      `${SELECT_JOBS} WHERE j.tenant_id = $1
         AND ($2::text IS NULL OR j.trigger_id = $2)
         AND ($3::uuid IS NULL OR j.event_id = $3::uuid)
         AND ($4::text IS NULL OR j.status = $4)
         AND ($5::bigint IS NULL OR j.seq ${descending ? '<' : '>'} $5::bigint)
       ORDER BY j.seq ${descending ? 'DESC' : 'ASC'} LIMIT $6`,
      [
        tenantId,
        filter.trigger_id ?? null,
        filter.event_id ?? null,
        filter.status ?? null,
        afterSeq,
        page.limit + 1,
      ],
    );
    const items = rows.slice(0, page.limit).map(toJob);
    const last = items.at(-1);
    return { items, next: rows.length > page.limit && last !== undefined ? last.id : null };
  }
}
