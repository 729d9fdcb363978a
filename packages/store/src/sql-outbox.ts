import {
  type ClaimedEntry,
  ORIGINS,
  type Origin,
  type Outbox,
  type OutboxClaim,
  type OutboxEntry,
  type Position,
} from '@sluice/core';
import { formatPosition, isPosition, parsePosition } from './position.ts';
import { iso, toEnvelope } from './row-mappers.ts';
import { runsAlone, type SqlClient, type SqlExecutor } from './sql-client.ts';

type Row = Record<string, unknown>;

const COLUMNS = `id, event_id::text AS event_id, tenant_id, connection_id, sequence, tx_id::text AS tx_text,
  relayed_at, origin`;

const isOrigin = (value: unknown): value is Origin => (ORIGINS as ReadonlyArray<unknown>).includes(value);

function toEntry(row: Row, id: unknown = row['id']): OutboxEntry {
  const relayed = row['relayed_at'];
  return {
    id: Number(id),
    event_id: String(row['event_id']),
    tenant_id: String(row['tenant_id']),
    connection_id: String(row['connection_id']),
    sequence: Number(row['sequence']),
    position: formatPosition(String(row['tx_text']), String(id)),
    relayed_at: relayed === null || relayed === undefined ? null : iso(relayed),
    origin: isOrigin(row['origin']) ? row['origin'] : 'webhook',
  };
}

/**
 * The outbox over SQL. A claim reads pending rows below the commit horizon in commit order, across
 * tenants, leases them and reads their envelopes, all in one statement. Claims take one advisory lock for
 * their few milliseconds, so the check "no other relay holds this connection" and the lease cannot
 * interleave: each connection's pending rows are leased to one relay at a time, which keeps each
 * connection's order with any number of relays.
 */
export class SqlOutbox implements Outbox {
  readonly #db: SqlClient;
  readonly #now: () => Date;

  constructor(db: SqlClient, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  claim(claim: OutboxClaim): Promise<ReadonlyArray<ClaimedEntry>> {
    // Alone on its database (PGlite), the statement is the claim: no other claim can run beside it, and
    // the lock's transaction was three more calls into the engine on every pass.
    if (runsAlone(this.#db)) return this.#claim(this.#db, claim);
    return this.#db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sluice.outbox.claim'))`);
      return this.#claim(tx, claim);
    });
  }

  async #claim(tx: SqlExecutor, claim: OutboxClaim): Promise<ReadonlyArray<ClaimedEntry>> {
    const now = this.#now();
    // `cand` picks the first rows in commit order and counts them per connection; `firsts` then takes
    // that many of each connection's pending rows by sequence. The two orders can differ across
    // transactions: a transaction's id is taken at its first write (its dedupe claims), before it locks
    // the connection and takes sequences, so a later sequence can carry an earlier transaction id. A
    // connection's rows are claimed up to the first one not yet below the horizon (`fence`).
    // The envelope's own columns name the row (event id, tenant, connection, sequence: the same as the
    // outbox row's); the outbox's id, transaction, relay time and origin come under their own names.
    // The horizon is a scalar subquery in `cand`, not a join: joined, it left the planner no order to read
    // `outbox_pending_position` in, and it sorted every pending row to take the first `limit`.
    const rows = await tx.query(
      `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
       held AS (
         SELECT DISTINCT connection_id FROM outbox WHERE relayed_at IS NULL AND lease_until > $2
       ), cand AS (
         SELECT p.connection_id, count(*) AS n FROM (
           SELECT o.connection_id FROM outbox o
            WHERE o.relayed_at IS NULL AND o.tx_id < (SELECT xmin FROM h)
              AND o.connection_id NOT IN (SELECT connection_id FROM held)
            ORDER BY o.tx_id, o.id LIMIT $3
         ) p GROUP BY p.connection_id
       ), firsts AS (
         SELECT f.id, f.connection_id, f.sequence, f.tx_id FROM cand c
           CROSS JOIN LATERAL (
             SELECT o.id, o.connection_id, o.sequence, o.tx_id FROM outbox o
              WHERE o.connection_id = c.connection_id AND o.relayed_at IS NULL
              ORDER BY o.sequence LIMIT c.n
           ) f
       ), fence AS (
         SELECT f.connection_id, min(f.sequence) AS sequence FROM firsts f, h
          WHERE f.tx_id >= h.xmin GROUP BY f.connection_id
       ), picked AS (
         SELECT f.id FROM firsts f LEFT JOIN fence ON fence.connection_id = f.connection_id
          WHERE fence.sequence IS NULL OR f.sequence < fence.sequence
       ), claimed AS (
         UPDATE outbox SET lease_owner = $1, lease_until = $4
           FROM picked WHERE outbox.id = picked.id
         RETURNING outbox.id, outbox.event_id, outbox.tenant_id, outbox.tx_id, outbox.relayed_at, outbox.origin,
           outbox.traceparent, outbox.created_at
       )
       SELECT c.id AS outbox_id, c.tx_id::text AS tx_text, c.relayed_at, c.origin,
         c.traceparent AS outbox_traceparent, c.created_at AS outbox_created_at, e.*
         FROM claimed c JOIN envelopes e ON e.event_id = c.event_id AND e.tenant_id = c.tenant_id
        ORDER BY c.tx_id, c.id`,
      [claim.owner, now, claim.limit, new Date(now.getTime() + claim.leaseMs)],
    );
    const entries = rows.map((row) => ({
      ...toEntry(row, row['outbox_id']),
      envelope: toEnvelope(row),
      traceparent: typeof row['outbox_traceparent'] === 'string' ? row['outbox_traceparent'] : null,
      committed_at: iso(row['outbox_created_at']),
    }));
    return inSequencePerConnection(entries);
  }

  async release(owner: string, ids: ReadonlyArray<number>): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await this.#db.query(
      `UPDATE outbox SET lease_owner = NULL, lease_until = NULL
        WHERE id IN (SELECT jsonb_array_elements_text($2::jsonb)::bigint)
          AND relayed_at IS NULL AND lease_owner = $1
        RETURNING id`,
      [owner, JSON.stringify(ids)],
    );
    return rows.length;
  }

  async acknowledge(positions: ReadonlyArray<Position>): Promise<number> {
    const ids = positions.filter(isPosition).map((position) => parsePosition(position).log);
    if (ids.length === 0) return 0;
    const rows = await this.#db.query(
      `UPDATE outbox SET relayed_at = $2, lease_owner = NULL, lease_until = NULL
        WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint) AND relayed_at IS NULL
        RETURNING id`,
      [JSON.stringify(ids), this.#now()],
    );
    return rows.length;
  }

  async markRelayed(owner: string, ids: ReadonlyArray<number>): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await this.#db.query(
      `UPDATE outbox SET relayed_at = $3, lease_owner = NULL, lease_until = NULL
        WHERE id IN (SELECT jsonb_array_elements_text($2::jsonb)::bigint)
          AND relayed_at IS NULL AND lease_owner = $1
        RETURNING id`,
      [owner, JSON.stringify(ids), this.#now()],
    );
    return rows.length;
  }

  async pendingCount(): Promise<number> {
    const [row] = await this.#db.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM outbox WHERE relayed_at IS NULL',
    );
    return Number(row?.n ?? 0);
  }

  async readConnection(
    tenantId: string,
    connectionId: string,
    afterSequence: number,
    limit: number,
  ): Promise<ReadonlyArray<OutboxEntry>> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM outbox
        WHERE tenant_id = $1 AND connection_id = $2 AND sequence > $3 ORDER BY sequence LIMIT $4`,
      [tenantId, connectionId, afterSequence, limit],
    );
    return rows.map((row) => toEntry(row));
  }
}

/**
 * The claim in commit order, except that each connection's rows fill the places its rows hold in sequence
 * order: across connections commit order is kept, and within one the relay publishes by sequence.
 */
function inSequencePerConnection(entries: ReadonlyArray<ClaimedEntry>): ClaimedEntry[] {
  const byConnection = new Map<string, ClaimedEntry[]>();
  for (const entry of entries) {
    const rows = byConnection.get(entry.connection_id);
    if (rows === undefined) byConnection.set(entry.connection_id, [entry]);
    else rows.push(entry);
  }
  for (const rows of byConnection.values()) rows.sort((a, b) => a.sequence - b.sequence);
  const next = new Map<string, number>();
  return entries.map((entry) => {
    const at = next.get(entry.connection_id) ?? 0;
    next.set(entry.connection_id, at + 1);
    return byConnection.get(entry.connection_id)?.[at] ?? entry;
  });
}
