import type {
  AppendInput,
  ChangeHistory,
  NewStreamSchedule,
  ScheduleStore,
  StreamRef,
  StreamRunCompletion,
  StreamSchedule,
  StreamScheduleFilter,
  StreamScheduleSettings,
  StreamStatus,
} from '@sluice/core';
import { appendFacts } from './append-facts.ts';
import { iso, isoOrNull } from './row-mappers.ts';
import type { SqlClient, SqlExecutor } from './sql-client.ts';

type Row = Record<string, unknown>;

const COLUMNS = `tenant_id, connection_id, stream, connector_id, schedule, timezone, settings, next_run_at,
  interval_ms, interval_reason, status, paused, lease_owner, lease_until, last_run_at, last_success_at,
  last_error_at, last_error, rate_limited_until, records, envelopes, history`;

/** When a row is due: its next run, or the end of a lease still held past it. */
const DUE = 'GREATEST(next_run_at, COALESCE(lease_until, next_run_at))';

const KEY = 'tenant_id = $1 AND connection_id = $2 AND stream = $3';

const keyOf = (ref: StreamRef): ReadonlyArray<string> => [ref.tenant_id, ref.connection_id, ref.stream];

function toStreamSchedule(row: Row): StreamSchedule {
  const interval = row['interval_ms'];
  return {
    tenant_id: String(row['tenant_id']),
    connection_id: String(row['connection_id']),
    stream: String(row['stream']),
    connector_id: String(row['connector_id']),
    schedule: String(row['schedule']),
    timezone: String(row['timezone']),
    settings: (row['settings'] ?? {}) as StreamScheduleSettings,
    next_run_at: iso(row['next_run_at']),
    interval_ms: interval === null || interval === undefined ? null : Number(interval),
    interval_reason: String(row['interval_reason']),
    status: String(row['status']) as StreamStatus,
    paused: row['paused'] === true,
    lease_owner: row['lease_owner'] === null ? null : String(row['lease_owner']),
    lease_until: isoOrNull(row['lease_until']),
    last_run_at: isoOrNull(row['last_run_at']),
    last_success_at: isoOrNull(row['last_success_at']),
    last_error_at: isoOrNull(row['last_error_at']),
    last_error: row['last_error'] === null ? null : String(row['last_error']),
    rate_limited_until: isoOrNull(row['rate_limited_until']),
    records: Number(row['records']),
    envelopes: Number(row['envelopes']),
    history: (row['history'] ?? {}) as ChangeHistory,
  };
}

/** Poll-stream schedules over SQL; claims lease rows with `FOR UPDATE SKIP LOCKED`. */
export class SqlScheduleStore implements ScheduleStore {
  readonly #db: SqlClient;
  readonly #now: () => Date;

  constructor(db: SqlClient, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  async upsertStreams(streams: ReadonlyArray<NewStreamSchedule>): Promise<void> {
    if (streams.length === 0) return;
    await this.#db.query(
      `INSERT INTO stream_schedules (tenant_id, connection_id, stream, connector_id, schedule, timezone, settings,
         next_run_at)
       SELECT s->>'tenant_id', s->>'connection_id', s->>'stream', s->>'connector_id', s->>'schedule',
         s->>'timezone', s->'settings', (s->>'next_run_at')::timestamptz
       FROM jsonb_array_elements($1::jsonb) AS s
       ORDER BY 1, 2, 3
       ON CONFLICT (tenant_id, connection_id, stream) DO UPDATE SET schedule = EXCLUDED.schedule,
         timezone = EXCLUDED.timezone, settings = EXCLUDED.settings,
         next_run_at = LEAST(stream_schedules.next_run_at, EXCLUDED.next_run_at)`,
      [JSON.stringify(streams.map((s) => ({ ...s, next_run_at: s.next_run_at.toISOString() })))],
    );
  }

  async removeConnection(tenantId: string, connectionId: string): Promise<number> {
    const rows = await this.#db.query(
      'DELETE FROM stream_schedules WHERE tenant_id = $1 AND connection_id = $2 RETURNING stream',
      [tenantId, connectionId],
    );
    return rows.length;
  }

  async claimDue(
    owner: string,
    now: Date,
    limit: number,
    leaseMs: number,
  ): Promise<ReadonlyArray<StreamSchedule>> {
    const rows = await this.#db.query(
      `WITH due AS (
         SELECT tenant_id, connection_id, stream FROM stream_schedules
         WHERE NOT paused AND ${DUE} <= $2::timestamptz
         ORDER BY ${DUE}
         LIMIT $3
         FOR UPDATE SKIP LOCKED)
       UPDATE stream_schedules s SET lease_owner = $1, lease_until = $4::timestamptz
       FROM due
       WHERE s.tenant_id = due.tenant_id AND s.connection_id = due.connection_id AND s.stream = due.stream
       RETURNING ${COLUMNS.replaceAll(/(\w+)/g, 's.$1')}`,
      [owner, now.toISOString(), limit, new Date(now.getTime() + leaseMs).toISOString()],
    );
    return rows.map(toStreamSchedule).sort((a, b) => a.next_run_at.localeCompare(b.next_run_at));
  }

  async complete(
    owner: string,
    ref: StreamRef,
    run: StreamRunCompletion,
    facts?: ReadonlyArray<AppendInput>,
  ): Promise<StreamSchedule | null> {
    const write = async (tx: SqlExecutor): Promise<StreamSchedule | null> => {
      const [row] = await tx.query(
        `UPDATE stream_schedules SET lease_owner = NULL, lease_until = NULL, next_run_at = $5::timestamptz,
         interval_ms = $6, interval_reason = $7,
         status = CASE WHEN paused THEN 'paused' ELSE $8 END,
         last_run_at = $9::timestamptz,
         last_success_at = CASE WHEN $10 THEN $9::timestamptz ELSE last_success_at END,
         last_error_at = CASE WHEN $11::text IS NULL THEN last_error_at ELSE $9::timestamptz END,
         last_error = COALESCE($11::text, last_error),
         rate_limited_until = $12::timestamptz,
         records = records + $13, envelopes = envelopes + $14, history = $15::jsonb
       WHERE ${KEY} AND lease_owner = $4
       RETURNING ${COLUMNS}`,
        [
          ...keyOf(ref),
          owner,
          run.next_run_at.toISOString(),
          run.interval_ms,
          run.interval_reason,
          run.status,
          run.ran_at.toISOString(),
          run.succeeded,
          run.error,
          run.rate_limited_until?.toISOString() ?? null,
          run.records,
          run.envelopes,
          JSON.stringify(run.history),
        ],
      );
      if (row === undefined) return null;
      await appendFacts(tx, facts, this.#now());
      return toStreamSchedule(row);
    };
    // Most runs change no status and report nothing: one statement, no transaction around it.
    return facts === undefined || facts.length === 0 ? write(this.#db) : this.#db.transaction(write);
  }

  async renewLease(owner: string, ref: StreamRef, now: Date, leaseMs: number): Promise<boolean> {
    const rows = await this.#db.query(
      `UPDATE stream_schedules SET lease_until = $5::timestamptz
       WHERE ${KEY} AND lease_owner = $4 RETURNING stream`,
      [...keyOf(ref), owner, new Date(now.getTime() + leaseMs).toISOString()],
    );
    return rows.length > 0;
  }

  async nextDueAt(): Promise<Date | null> {
    const [row] = await this.#db.query<{ due: unknown }>(
      `SELECT ${DUE} AS due FROM stream_schedules WHERE NOT paused ORDER BY ${DUE} LIMIT 1`,
    );
    return row === undefined ? null : new Date(iso(row.due));
  }

  async get(ref: StreamRef): Promise<StreamSchedule | null> {
    const [row] = await this.#db.query(`SELECT ${COLUMNS} FROM stream_schedules WHERE ${KEY}`, keyOf(ref));
    return row === undefined ? null : toStreamSchedule(row);
  }

  async list(tenantId: string, filter: StreamScheduleFilter = {}): Promise<ReadonlyArray<StreamSchedule>> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM stream_schedules
       WHERE tenant_id = $1 AND ($2::text IS NULL OR connection_id = $2) AND ($3::text IS NULL OR status = $3)
       ORDER BY connection_id, stream`,
      [tenantId, filter.connection_id ?? null, filter.status ?? null],
    );
    return rows.map(toStreamSchedule);
  }

  async setPaused(
    ref: StreamRef,
    paused: boolean,
    now: Date,
    facts?: ReadonlyArray<AppendInput>,
  ): Promise<{ readonly stream: StreamSchedule; readonly previous: StreamStatus } | null> {
    return this.#db.transaction(async (tx) => {
      const [row] = await tx.query(
        `UPDATE stream_schedules s SET paused = $4,
         status = CASE WHEN $4 THEN 'paused'
           WHEN s.rate_limited_until > $5::timestamptz THEN 'rate_limited'
           WHEN s.last_error_at > COALESCE(s.last_success_at, '-infinity') THEN 'failing' ELSE 'ok' END
       FROM (SELECT status FROM stream_schedules WHERE ${KEY} FOR UPDATE) AS before
       WHERE ${KEY.replaceAll(/(\w+) = /g, 's.$1 = ')}
       RETURNING ${COLUMNS.replaceAll(/(\w+)/g, 's.$1')}, before.status AS previous`,
        [...keyOf(ref), paused, now.toISOString()],
      );
      if (row === undefined) return null;
      const stream = toStreamSchedule(row);
      const previous = String(row['previous']) as StreamStatus;
      // The fact reports a change of status; a pause of a paused stream changes nothing.
      if (previous !== stream.status) await appendFacts(tx, facts, this.#now());
      return { stream, previous };
    });
  }

  async runNow(ref: StreamRef, now: Date): Promise<StreamSchedule | null> {
    const [row] = await this.#db.query(
      `UPDATE stream_schedules SET next_run_at = LEAST(next_run_at, $4::timestamptz)
       WHERE ${KEY} RETURNING ${COLUMNS}`,
      [...keyOf(ref), now.toISOString()],
    );
    return row === undefined ? null : toStreamSchedule(row);
  }

  async retime(
    ref: StreamRef,
    timezone: string,
    nextRunAt: Date,
    reason: string,
  ): Promise<StreamSchedule | null> {
    const [row] = await this.#db.query(
      `UPDATE stream_schedules SET timezone = $4, next_run_at = $5::timestamptz, interval_reason = $6
       WHERE ${KEY} RETURNING ${COLUMNS}`,
      [...keyOf(ref), timezone, nextRunAt.toISOString(), reason],
    );
    return row === undefined ? null : toStreamSchedule(row);
  }
}
