import type { Outbox, OutboxClaim, OutboxEntry } from '@sluice/core';
import { formatPosition, laterPosition } from './position.ts';
import { iso } from './row-mappers.ts';
import type { SqlClient } from './sql-client.ts';

type Row = Record<string, unknown>;

const COLUMNS = `id, event_id::text AS event_id, tenant_id, connection_id, sequence, tx_id::text AS tx_text,
  relayed_at`;

function toEntry(row: Row): OutboxEntry {
  return {
    id: Number(row['id']),
    event_id: String(row['event_id']),
    tenant_id: String(row['tenant_id']),
    connection_id: String(row['connection_id']),
    sequence: Number(row['sequence']),
    position: formatPosition(String(row['tx_text']), String(row['id'])),
    relayed_at: row['relayed_at'] === null || row['relayed_at'] === undefined ? null : iso(row['relayed_at']),
  };
}

/**
 * The outbox over SQL. A claim reads pending rows below the commit horizon in commit order, across
 * tenants, and leases them. Claims take one advisory lock for their few milliseconds, so the check "no
 * other relay holds this connection" and the lease cannot interleave: each connection's pending rows are
 * leased to one relay at a time, which keeps each connection's order with any number of relays.
 */
export class SqlOutbox implements Outbox {
  readonly #db: SqlClient;
  readonly #now: () => Date;

  constructor(db: SqlClient, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  claim(claim: OutboxClaim): Promise<ReadonlyArray<OutboxEntry>> {
    return this.#db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sluice.outbox.claim'))`);
      const now = this.#now();
      const rows = await tx.query(
        `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
         held AS (
           SELECT DISTINCT connection_id FROM outbox
            WHERE relayed_at IS NULL AND lease_until > $2 AND lease_owner <> $1
         ), picked AS (
           SELECT o.id FROM outbox o, h
            WHERE o.relayed_at IS NULL AND o.tx_id < h.xmin
              AND o.connection_id NOT IN (SELECT connection_id FROM held)
            ORDER BY o.tx_id, o.id LIMIT $3
         )
         UPDATE outbox SET lease_owner = $1, lease_until = $4
           FROM picked WHERE outbox.id = picked.id
         RETURNING outbox.id, outbox.event_id::text AS event_id, outbox.tenant_id, outbox.connection_id,
           outbox.sequence, outbox.tx_id::text AS tx_text, outbox.relayed_at`,
        [claim.owner, now, claim.limit, new Date(now.getTime() + claim.leaseMs)],
      );
      // RETURNING has no order of its own: put the claim back in commit order.
      return rows.map(toEntry).sort(byPosition);
    });
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
    return rows.map(toEntry);
  }
}

function byPosition(a: OutboxEntry, b: OutboxEntry): number {
  return a.position === b.position ? 0 : laterPosition(a.position, b.position) === a.position ? 1 : -1;
}
