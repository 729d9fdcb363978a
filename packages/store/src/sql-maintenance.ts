import type { StoreMaintenance, SweepResult } from '@sluice/core';
import { migrate } from './migrator.ts';
import { runsAlone, type SqlClient } from './sql-client.ts';

/**
 * The schema's tables whose statistics are out of date: the table, or one of its indexes, has at least
 * doubled in pages since its statistics were taken (`relpages` is the size then), and by eight pages at
 * least, so small tables are left alone and a growing table is analyzed a logarithmic number of times.
 * An index created on an empty table keeps `reltuples = 0` until the table is analyzed, and the planner
 * then takes it for empty whatever it holds: the first analyze matters most.
 */
const staleTables = (oneTable: boolean) => `
  SELECT DISTINCT t.relname AS name
    FROM pg_class r
    LEFT JOIN pg_index i ON i.indexrelid = r.oid
    JOIN pg_class t ON t.oid = COALESCE(i.indrelid, r.oid)
   WHERE r.relnamespace = (SELECT n.oid FROM pg_namespace n WHERE n.nspname = current_schema())
     AND r.relkind IN ('r', 'i')${oneTable ? ' AND t.relname = $1' : ''}
     AND pg_relation_size(r.oid) / current_setting('block_size')::integer >= greatest(2 * r.relpages, r.relpages + 8)
   ORDER BY t.relname`;
const STALE_TABLES = staleTables(false);
const STALE_TABLE = staleTables(true);

/**
 * The sample an embedded `ANALYZE` reads (`default_statistics_target`; PostgreSQL's default is 100, 300
 * rows a unit). PGlite runs it on the server's own thread, where every millisecond is one the HTTP path
 * waits: on a table of 20,000–80,000 webhook-sized rows it took 71–122 ms at 100 and 13–15 ms at 10.
 * The plans that needed it turn on row counts and index sizes, which a smaller sample gives as well.
 */
const EMBEDDED_STATISTICS_TARGET = 10;

/**
 * The tables autovacuum would vacuum now, on a server where it is off: more dead rows than its threshold
 * (`autovacuum_vacuum_threshold` + `autovacuum_vacuum_scale_factor` × live rows, 50 + 20 % by default).
 * Left to pile up, dead row versions keep their index entries: the outbox's pending-rows index held 21,693
 * entries for 3,000 pending rows after one bench run, and every relay pass read them all.
 */
const DEAD_TABLES = `
  SELECT s.relname AS name FROM pg_stat_user_tables s
   WHERE s.schemaname = current_schema() AND current_setting('autovacuum') = 'off'
     AND s.n_dead_tup > current_setting('autovacuum_vacuum_threshold')::bigint
       + current_setting('autovacuum_vacuum_scale_factor')::float8 * greatest(s.n_live_tup, 0)
   ORDER BY s.relname`;

/** The tables rows are updated or deleted in (the rest only take inserts): what PGlite vacuums, in turn. */
const CHURNED_TABLES = [
  'outbox',
  'jobs',
  'job_attempts',
  'connections',
  'dedupe_keys',
  'job_results',
  'webhook_replays',
  'dead_letters',
  'record_hashes',
  'stream_cursors',
] as const;

/**
 * The least time between two vacuums of one table on PGlite, in ms, counted from when it is first seen:
 * each costs the requests on the server's thread a few milliseconds, and in a run of seconds there is
 * nothing yet to reclaim (an 8 s end-to-end run was no faster with one every ten seconds).
 */
const EMBEDDED_VACUUM_EVERY_MS = 60_000;

export interface SqlMaintenanceOptions {
  /** See `EMBEDDED_VACUUM_EVERY_MS`. */
  readonly embeddedVacuumEveryMs?: number;
}

/**
 * How long a relayed outbox row is kept, in ms. Once relayed, nothing reads it (the relay reads pending
 * rows only); kept, the table grew as fast as the envelopes, and the relay's check for connections other
 * relays hold read all of it on every pass.
 */
const RELAYED_OUTBOX_RETENTION_MS = 3_600_000;

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Migrations, health, shutdown and housekeeping over SQL. */
export class SqlMaintenance implements StoreMaintenance {
  readonly #db: SqlClient;
  readonly #now: () => Date;
  readonly #vacuumEveryMs: number;
  readonly #vacuumedAt = new Map<string, number>();
  #nextChurned = 0;

  constructor(db: SqlClient, now: () => Date, options: SqlMaintenanceOptions = {}) {
    this.#db = db;
    this.#now = now;
    this.#vacuumEveryMs = options.embeddedVacuumEveryMs ?? EMBEDDED_VACUUM_EVERY_MS;
  }

  migrate(): Promise<{ applied: string[] }> {
    return migrate(this.#db);
  }

  /** The store answers, and (embedded) can write: see `SqlClient.probeWrite`. */
  async ping(): Promise<void> {
    await this.#db.probeWrite?.();
    await this.#db.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  /**
   * PostgreSQL's autovacuum analyzes a table once enough of it changed, but only from its first pass on
   * (a minute after start by default) and only where it is on; PGlite runs none. Until then a table that
   * filled from empty is planned as if it were empty (an entity's next job looked up through a tenant's
   * whole backlog: 26 ms instead of 2.7 for one finish batch). One process at a time (a transaction's
   * advisory lock); `ANALYZE` reads a sample, takes no lock that writers wait for, and runs in the
   * transaction.
   */
  async refreshStatistics(): Promise<ReadonlyArray<string>> {
    // The usual answer is none, in one statement; the lock and a second look only when there is work.
    const candidates = await this.#db.query<{ name: string }>(STALE_TABLES);
    if (candidates.length === 0) return [];
    if (runsAlone(this.#db)) return this.#refreshEmbedded(candidates.map((table) => table.name));
    return this.#db.transaction(async (tx) => {
      const [turn] = await tx.query<{ mine: boolean }>(
        `SELECT pg_try_advisory_xact_lock(hashtext('sluice.statistics')) AS mine`,
      );
      if (turn?.mine !== true) return [];
      const stale = await tx.query<{ name: string }>(STALE_TABLES);
      for (const { name } of stale) await tx.exec(`ANALYZE ${quoted(name)}`);
      return stale.map((table) => table.name);
    });
  }

  /**
   * On PGlite, one table at a time, each in a transaction of its own with a smaller sample, so that the
   * requests waiting on the engine get their turn between tables. Transactions there run one at a time:
   * each table is checked again in its own, and a concurrent pass that analyzed it first leaves it alone.
   */
  async #refreshEmbedded(tables: ReadonlyArray<string>): Promise<ReadonlyArray<string>> {
    const analyzed: string[] = [];
    for (const name of tables) {
      const done = await this.#db.transaction(async (tx) => {
        if ((await tx.query(STALE_TABLE, [name])).length === 0) return false;
        await tx.exec(`SET LOCAL default_statistics_target = ${EMBEDDED_STATISTICS_TARGET}`);
        await tx.exec(`ANALYZE ${quoted(name)}`);
        return true;
      });
      if (done) analyzed.push(name);
    }
    return analyzed;
  }

  async vacuumDead(): Promise<ReadonlyArray<string>> {
    if (runsAlone(this.#db)) return this.#vacuumEmbedded();
    const dead = await this.#db.query<{ name: string }>(DEAD_TABLES);
    const vacuumed: string[] = [];
    for (const { name } of dead) {
      // Outside a transaction, as VACUUM must be; one another process is vacuuming is skipped, not waited for.
      await this.#db.exec(`VACUUM (SKIP_LOCKED) ${quoted(name)}`);
      vacuumed.push(name);
    }
    return vacuumed;
  }

  /**
   * PGlite's statistics count no dead rows, so its churned tables are vacuumed in turn, one per call: each
   * runs on the server's own thread, where the requests wait for it (about 5 ms for 5,000 changed rows).
   */
  async #vacuumEmbedded(): Promise<ReadonlyArray<string>> {
    const now = this.#now().getTime();
    const name = CHURNED_TABLES[this.#nextChurned++ % CHURNED_TABLES.length] as string;
    const last = this.#vacuumedAt.get(name);
    // A table's first turn starts its clock; it is vacuumed on a later one.
    if (last !== undefined && now - last < this.#vacuumEveryMs) return [];
    this.#vacuumedAt.set(name, now);
    if (last === undefined) return [];
    await this.#db.exec(`VACUUM ${quoted(name)}`);
    return [name];
  }

  /**
   * Expired dedupe keys, replay keys and remembered job results out, old pending dead letters expired, each
   * in a bounded batch.
   */
  async sweepExpired(now: Date, deadLettersBefore: Date, limit: number): Promise<SweepResult> {
    const dedupe = await this.#db.query(
      `DELETE FROM dedupe_keys WHERE (tenant_id, source, dedupe_key) IN (
         SELECT tenant_id, source, dedupe_key FROM dedupe_keys WHERE expires_at <= $1 LIMIT $2)
       RETURNING 1`,
      [now, limit],
    );
    const replays = await this.#db.query(
      `DELETE FROM webhook_replays WHERE (connection_id, replay_key) IN (
         SELECT connection_id, replay_key FROM webhook_replays WHERE expires_at <= $1 LIMIT $2)
       RETURNING 1`,
      [now, limit],
    );
    const expired = await this.#db.query(
      `UPDATE dead_letters SET status = 'expired' WHERE id IN (
         SELECT id FROM dead_letters WHERE status = 'pending' AND created_at < $1 LIMIT $2)
       RETURNING 1`,
      [deadLettersBefore, limit],
    );
    const results = await this.#db.query(
      `DELETE FROM job_results WHERE (tenant_id, key) IN (
         SELECT tenant_id, key FROM job_results WHERE expires_at <= $1 LIMIT $2)
       RETURNING 1`,
      [now, limit],
    );
    const hashes = await this.#db.query(
      `DELETE FROM record_hashes WHERE (connection_id, stream, record_id) IN (
         SELECT connection_id, stream, record_id FROM record_hashes WHERE expires_at <= $1 LIMIT $2)
       RETURNING 1`,
      [now, limit],
    );
    // Oldest first by id, so a sweep reads from the start of the table and stops at `limit`.
    const relayed = await this.#db.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE relayed_at <= $1 ORDER BY id LIMIT $2)
       RETURNING 1`,
      [new Date(now.getTime() - RELAYED_OUTBOX_RETENTION_MS), limit],
    );
    return {
      outbox_relayed: relayed.length,
      record_hashes: hashes.length,
      dedupe_keys: dedupe.length,
      webhook_replays: replays.length,
      dead_letters_expired: expired.length,
      job_results: results.length,
    };
  }
}
