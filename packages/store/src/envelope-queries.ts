import {
  type Envelope,
  type EnvelopeFilter,
  isUuid,
  type Page,
  type PageRequest,
  SluiceError,
} from '@sluice/core';
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

/** A tenant's envelopes matching `filter`, one page at a time, ordered by event id (time order). */
export async function queryEnvelopes(
  db: SqlExecutor,
  tenantId: string,
  filter: EnvelopeFilter,
  page: PageRequest,
): Promise<Page<Envelope>> {
  const params: unknown[] = [tenantId];
  const where = ['tenant_id = $1'];
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
  const descending = page.order === 'desc';
  if (page.after !== undefined) {
    if (!isUuid(page.after)) {
      throw new SluiceError('invalid_cursor', `The cursor "${page.after}" is not an event id.`);
    }
    add((p) => `event_id ${descending ? '<' : '>'} ${p}::uuid`, page.after);
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
