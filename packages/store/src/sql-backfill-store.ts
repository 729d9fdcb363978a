import type { Backfill, BackfillCounts, BackfillStore, NewBackfill } from '@sluice/core';
import type { SqlClient } from './sql-client.ts';

const iso = (value: unknown): string =>
  (value instanceof Date ? value : new Date(String(value))).toISOString();
const COUNTS: BackfillCounts = { pages: 0, records: 0, emitted: 0, duplicates: 0 };

function toBackfill(row: Record<string, unknown>): Backfill {
  const counts = typeof row['counts'] === 'string' ? JSON.parse(row['counts']) : row['counts'];
  return {
    id: String(row['id']),
    tenant_id: String(row['tenant_id']),
    connection_id: String(row['connection_id']),
    stream: String(row['stream']),
    since: iso(row['since']),
    until: iso(row['until']),
    mode: row['mode'] as Backfill['mode'],
    status: row['status'] as Backfill['status'],
    counts: { ...COUNTS, ...(counts as Partial<BackfillCounts>) },
    cursor_key: String(row['cursor_key']),
    error: row['error'] === null ? null : String(row['error']),
    rate_limited_until: row['rate_limited_until'] === null ? null : iso(row['rate_limited_until']),
    created_at: iso(row['created_at']),
    updated_at: iso(row['updated_at']),
  };
}

/** Backfills over SQL, tenant-scoped. */
export class SqlBackfillStore implements BackfillStore {
  readonly #db: SqlClient;
  readonly #now: () => Date;

  constructor(db: SqlClient, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  async create(backfill: NewBackfill): Promise<Backfill> {
    const now = this.#now();
    const [row] = await this.#db.query(
      `INSERT INTO backfills (id, tenant_id, connection_id, stream, since, until, mode, status, counts, cursor_key,
         created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8::jsonb, $9, $10, $10) RETURNING *`,
      [
        backfill.id,
        backfill.tenant_id,
        backfill.connection_id,
        backfill.stream,
        backfill.since,
        backfill.until,
        backfill.mode,
        JSON.stringify(COUNTS),
        `backfill:${backfill.id}`,
        now,
      ],
    );
    return toBackfill(row as Record<string, unknown>);
  }

  async get(tenantId: string, id: string): Promise<Backfill | null> {
    const [row] = await this.#db.query('SELECT * FROM backfills WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      id,
    ]);
    return row === undefined ? null : toBackfill(row as Record<string, unknown>);
  }

  async update(
    tenantId: string,
    id: string,
    change: Partial<Pick<Backfill, 'status' | 'counts' | 'error' | 'rate_limited_until'>>,
  ): Promise<Backfill | null> {
    const [row] = await this.#db.query(
      `UPDATE backfills SET
         status = COALESCE($3, status),
         counts = COALESCE($4::jsonb, counts),
         error = CASE WHEN $5::boolean THEN $6 ELSE error END,
         rate_limited_until = CASE WHEN $7::boolean THEN $8::timestamptz ELSE rate_limited_until END,
         lease_owner = CASE WHEN COALESCE($3, status) = 'running' THEN lease_owner END,
         lease_until = CASE WHEN COALESCE($3, status) = 'running' THEN lease_until END,
         updated_at = $9
       WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [
        tenantId,
        id,
        change.status ?? null,
        change.counts === undefined ? null : JSON.stringify(change.counts),
        change.error !== undefined,
        change.error ?? null,
        change.rate_limited_until !== undefined,
        change.rate_limited_until ?? null,
        this.#now(),
      ],
    );
    return row === undefined ? null : toBackfill(row as Record<string, unknown>);
  }

  async claim(
    owner: string,
    leaseMs: number,
    options: { readonly id?: string; readonly limit?: number } = {},
  ): Promise<ReadonlyArray<Backfill>> {
    const now = this.#now();
    const rows = await this.#db.query(
      `UPDATE backfills SET lease_owner = $1, lease_until = $2
        WHERE id IN (
          SELECT id FROM backfills
           WHERE status = 'running' AND (lease_until IS NULL OR lease_until <= $3)
             AND ($4::text IS NULL OR id = $4)
           ORDER BY created_at, id
           LIMIT $5
           FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [owner, new Date(now.getTime() + leaseMs), now, options.id ?? null, options.limit ?? 100],
    );
    return rows
      .map((row) => toBackfill(row as Record<string, unknown>))
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  async renewLease(tenantId: string, id: string, owner: string, leaseMs: number): Promise<boolean> {
    const rows = await this.#db.query(
      `UPDATE backfills SET lease_until = $4
        WHERE tenant_id = $1 AND id = $2 AND lease_owner = $3 AND status = 'running' RETURNING id`,
      [tenantId, id, owner, new Date(this.#now().getTime() + leaseMs)],
    );
    return rows.length > 0;
  }

  async releaseLease(tenantId: string, id: string, owner: string): Promise<void> {
    await this.#db.query(
      `UPDATE backfills SET lease_owner = NULL, lease_until = NULL
        WHERE tenant_id = $1 AND id = $2 AND lease_owner = $3`,
      [tenantId, id, owner],
    );
  }

  async running(): Promise<ReadonlyArray<Backfill>> {
    const rows = await this.#db.query(
      "SELECT * FROM backfills WHERE status = 'running' ORDER BY created_at, id",
    );
    return rows.map((row) => toBackfill(row as Record<string, unknown>));
  }
}
