import {
  type Envelope,
  type EnvelopeFilter,
  isUuid,
  type Page,
  type PageRequest,
  type Position,
  type PositionPage,
  SluiceError,
} from '@sluice/core';
import { formatPosition, laterPosition, parsePosition } from './position.ts';
import { toEnvelope } from './row-mappers.ts';
import type { SqlExecutor } from './sql-client.ts';

/** `order.*` → `order.%` for LIKE, with LIKE's own wildcards escaped (event types contain `_`). */
export function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll('*', '%');
}

function timestamp(name: string, value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new SluiceError('invalid_request', `"${name}" must be an ISO 8601 timestamp; got "${value}".`);
  }
  return date;
}

/** Adds `filter`'s conditions to `where`, with their values appended to `params`. */
export function addFilter(where: string[], params: unknown[], filter: EnvelopeFilter): void {
  const add = (clause: (p: string) => string, value: unknown): void => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.event_type !== undefined) {
    if (filter.event_type.includes('*'))
      add((p) => `event_type LIKE ${p} ESCAPE '\\'`, globToLike(filter.event_type));
    else add((p) => `event_type = ${p}`, filter.event_type);
  }
  if (filter.entity !== undefined) add((p) => `entity_key = ${p}`, filter.entity);
  if (filter.source !== undefined) add((p) => `source = ${p}`, filter.source);
  if (filter.connection_id !== undefined) add((p) => `connection_id = ${p}`, filter.connection_id);
  if (filter.stream !== undefined) add((p) => `stream = ${p}`, filter.stream);
  if (filter.mode !== undefined) add((p) => `mode = ${p}`, filter.mode);
  if (filter.since !== undefined) add((p) => `received_at >= ${p}`, timestamp('since', filter.since));
  if (filter.until !== undefined) add((p) => `received_at < ${p}`, timestamp('until', filter.until));
}

/** A tenant's envelopes matching `filter`, one page at a time, ordered by event id (time order). */
export async function queryEnvelopes(
  db: SqlExecutor,
  tenantId: string,
  filter: EnvelopeFilter,
  page: PageRequest,
): Promise<Page<Envelope>> {
  const params: unknown[] = [tenantId];
  const where = ['tenant_id = $1'];
  addFilter(where, params, filter);
  const descending = page.order === 'desc';
  if (page.after !== undefined) {
    if (!isUuid(page.after)) {
      throw new SluiceError('invalid_cursor', `The cursor "${page.after}" is not an event id.`);
    }
    params.push(page.after);
    where.push(`event_id ${descending ? '<' : '>'} $${params.length}::uuid`);
  }
  params.push(page.limit + 1);
  const rows = await db.query(
    `SELECT * FROM envelopes WHERE ${where.join(' AND ')}
      ORDER BY event_id ${descending ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
    params,
  );
  const items = rows.slice(0, page.limit).map(toEnvelope);
  const last = items.at(-1);
  return { items, next: rows.length > page.limit && last !== undefined ? last.event_id : null };
}

/**
 * A tenant's envelopes committed after `after`, in commit order. Only rows written by transactions below
 * the commit horizon (`pg_snapshot_xmin` of the statement's own snapshot) are read: every such transaction
 * has finished, so nothing can commit later below it. The horizon and the rows come from one statement, so
 * they share that snapshot. A page that is not full moves the position up to the horizon, past everything
 * that did not match the filter.
 */
export async function readAfter(
  db: SqlExecutor,
  tenantId: string,
  after: Position,
  filter: EnvelopeFilter,
  limit: number,
): Promise<PositionPage> {
  const from = parsePosition(after);
  const params: unknown[] = [tenantId, from.tx, from.log];
  const where = ['tenant_id = $1', '(tx_id, log_id) > ($2::xid8, $3::bigint)', 'tx_id < h.xmin'];
  addFilter(where, params, filter);
  params.push(limit);
  const rows = await db.query(
    `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
     SELECT h.xmin::text AS horizon, e.* FROM h LEFT JOIN LATERAL (
       SELECT *, tx_id::text AS tx_text, log_id::text AS log_text FROM envelopes
        WHERE ${where.join(' AND ')} ORDER BY tx_id, log_id LIMIT $${params.length}) e ON true`,
    params,
  );
  const horizon = String(rows[0]?.['horizon'] ?? from.tx);
  const found = rows.filter((row) => row['event_id'] !== null && row['event_id'] !== undefined);
  const items = found.map((row) => ({
    position: formatPosition(String(row['tx_text']), String(row['log_text'])),
    envelope: toEnvelope(row),
  }));
  const last = items.at(-1);
  const position =
    items.length === limit && last !== undefined
      ? last.position
      : laterPosition(after, formatPosition(horizon, '0'));
  return { items, position };
}
