import type { Envelope } from '../envelope.ts';
import type { Origin } from '../trigger.ts';
import type { Position } from './event-log-port.ts';

/** An outbox row: one committed `live` envelope waiting to be relayed. */
export interface OutboxEntry {
  readonly id: number;
  readonly event_id: string;
  readonly tenant_id: string;
  readonly connection_id: string;
  readonly sequence: number;
  readonly position: Position;
  readonly relayed_at: string | null;
  /** Where the envelope came from (it decides its jobs' default priority). */
  readonly origin: Origin;
}

/** A claimed row with its envelope, read in the same statement: what the relay publishes. */
export interface ClaimedEntry extends OutboxEntry {
  readonly envelope: Envelope;
  /** The ingest span's W3C `traceparent` the row was written under; null when tracing was off. */
  readonly traceparent: string | null;
  /** When the row's transaction wrote it (its commit, give or take the transaction's length). */
  readonly committed_at: string;
}

export interface OutboxClaim {
  /** Who claims: a relay process's id. */
  readonly owner: string;
  readonly limit: number;
  /** How long the claim holds; after it lapses another relay may claim the rows again. */
  readonly leaseMs: number;
}

/**
 * What the relay moves onto the bus. Claims are cross-tenant and in commit order, each connection's rows
 * by sequence. While a connection has rows under a live lease, nobody claims its rows (its holder neither):
 * the lease ends when the consumer acknowledges them, or lapses, and then they are claimed again. So one
 * batch of a connection is in flight at a time, its order holds with any number of relays and routers,
 * and whatever the bus loses (a crash, a FLUSHALL) is sent again, before anything later of its connection.
 */
export interface Outbox {
  /**
   * Pending rows of connections that no live lease holds, leased to `owner` for `leaseMs`: per connection
   * in sequence order, up to its first row not yet below the commit horizon.
   */
  claim(claim: OutboxClaim): Promise<ReadonlyArray<ClaimedEntry>>;
  /** Marks rows relayed; rows no longer leased to `owner` are left alone. Returns how many it marked. */
  markRelayed(owner: string, ids: ReadonlyArray<number>): Promise<number>;
  /**
   * Gives up `owner`'s lease on rows it could not publish, so they are claimed again at once rather than
   * after the lease. Returns how many it released.
   */
  release(owner: string, ids: ReadonlyArray<number>): Promise<number>;
  /**
   * The consumer has done its part with these rows (the router created their jobs): marks them relayed,
   * whoever holds their lease, so their connection's next rows can be claimed. Positions of rows already
   * marked, or that are not outbox positions, are ignored. Returns how many it marked.
   */
  acknowledge(positions: ReadonlyArray<Position>): Promise<number>;
  /** Rows not yet relayed (metrics, relay lag). */
  pendingCount(): Promise<number>;
  /** One connection's rows in sequence order, relayed or not (inspection and tests). */
  readConnection(
    tenantId: string,
    connectionId: string,
    afterSequence: number,
    limit: number,
  ): Promise<ReadonlyArray<OutboxEntry>>;
}
