import { type CronSchedule, type CronScheduleStore, type NewCronSchedule, newId } from '@sluice/core';
import { iso, isoOrNull } from './row-mappers.ts';
import type { SqlClient } from './sql-client.ts';

type Row = Record<string, unknown>;

const COLUMNS = 'id, tenant_id, name, schedule, timezone, next_slot_at, last_slot_at, created_at';
const DUE = 'GREATEST(next_slot_at, COALESCE(lease_until, next_slot_at))';

function toCronSchedule(row: Row): CronSchedule {
  return {
    id: String(row['id']),
    tenant_id: String(row['tenant_id']),
    name: String(row['name']),
    schedule: String(row['schedule']),
    timezone: String(row['timezone']),
    next_slot_at: iso(row['next_slot_at']),
    last_slot_at: isoOrNull(row['last_slot_at']),
    created_at: iso(row['created_at']),
  };
}

/** Tenants' cron schedules over SQL, every read scoped by tenant but the cross-tenant claim. */
export class SqlCronScheduleStore implements CronScheduleStore {
  readonly #db: SqlClient;
  readonly #now: () => Date;

  constructor(db: SqlClient, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  async create(input: NewCronSchedule): Promise<CronSchedule> {
    const [row] = await this.#db.query(
      `INSERT INTO cron_schedules (id, tenant_id, name, schedule, timezone, next_slot_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz) RETURNING ${COLUMNS}`,
      [
        input.id ?? newId('schedule'),
        input.tenant_id,
        input.name,
        input.schedule,
        input.timezone,
        input.next_slot_at.toISOString(),
        this.#now().toISOString(),
      ],
    );
    if (row === undefined) throw new Error('INSERT … RETURNING gave no row');
    return toCronSchedule(row);
  }

  async get(tenantId: string, id: string): Promise<CronSchedule | null> {
    const [row] = await this.#db.query(
      `SELECT ${COLUMNS} FROM cron_schedules WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return row === undefined ? null : toCronSchedule(row);
  }

  async list(tenantId: string): Promise<ReadonlyArray<CronSchedule>> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM cron_schedules WHERE tenant_id = $1 ORDER BY id`,
      [tenantId],
    );
    return rows.map(toCronSchedule);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.#db.query(
      'DELETE FROM cron_schedules WHERE tenant_id = $1 AND id = $2 RETURNING id',
      [tenantId, id],
    );
    return rows.length > 0;
  }

  async claimDue(
    owner: string,
    now: Date,
    limit: number,
    leaseMs: number,
  ): Promise<ReadonlyArray<CronSchedule>> {
    const rows = await this.#db.query(
      `WITH due AS (
         SELECT id FROM cron_schedules WHERE ${DUE} <= $2::timestamptz
         ORDER BY ${DUE} LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE cron_schedules c SET lease_owner = $1, lease_until = $4::timestamptz
       FROM due WHERE c.id = due.id
       RETURNING ${COLUMNS.replaceAll(/(\w+)/g, 'c.$1')}`,
      [owner, now.toISOString(), limit, new Date(now.getTime() + leaseMs).toISOString()],
    );
    return rows.map(toCronSchedule);
  }

  async complete(owner: string, id: string, lastSlot: Date | null, nextSlot: Date): Promise<boolean> {
    const rows = await this.#db.query(
      `UPDATE cron_schedules SET lease_owner = NULL, lease_until = NULL, next_slot_at = $3::timestamptz,
         last_slot_at = COALESCE($4::timestamptz, last_slot_at)
       WHERE id = $1 AND lease_owner = $2 RETURNING id`,
      [id, owner, nextSlot.toISOString(), lastSlot?.toISOString() ?? null],
    );
    return rows.length > 0;
  }

  async renewLeases(
    owner: string,
    ids: ReadonlyArray<string>,
    now: Date,
    leaseMs: number,
  ): Promise<ReadonlyArray<string>> {
    if (ids.length === 0) return [];
    const rows = await this.#db.query<{ id: string }>(
      `UPDATE cron_schedules SET lease_until = $3::timestamptz
       WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)) AND lease_owner = $2 RETURNING id`,
      [JSON.stringify(ids), owner, new Date(now.getTime() + leaseMs).toISOString()],
    );
    return rows.map((row) => row.id);
  }

  async nextDueAt(): Promise<Date | null> {
    const [row] = await this.#db.query<{ due: unknown }>(
      `SELECT ${DUE} AS due FROM cron_schedules ORDER BY ${DUE} LIMIT 1`,
    );
    return row === undefined ? null : new Date(iso(row.due));
  }

  async retime(tenantId: string, id: string, timezone: string, nextSlot: Date): Promise<CronSchedule | null> {
    const [row] = await this.#db.query(
      `UPDATE cron_schedules SET timezone = $3, next_slot_at = $4::timestamptz
       WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [tenantId, id, timezone, nextSlot.toISOString()],
    );
    return row === undefined ? null : toCronSchedule(row);
  }
}
