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
}

export interface OutboxClaim {
  /** Who claims: a relay process's id. */
  readonly owner: string;
  readonly limit: number;
  /** How long the claim holds; after it lapses another relay may claim the rows again. */
  readonly leaseMs: number;
}

/**
 * What the relay moves onto the bus. Claims are cross-tenant and in commit order; while one relay holds
 * a connection's rows, no other relay claims that connection's rows, so each connection's order holds
 * with any number of relays.
 */
export interface Outbox {
  /** Pending rows in commit order, leased to `owner`: its own expired or held rows are claimed again. */
  claim(claim: OutboxClaim): Promise<ReadonlyArray<ClaimedEntry>>;
  /** Marks rows relayed; rows no longer leased to `owner` are left alone. Returns how many it marked. */
  markRelayed(owner: string, ids: ReadonlyArray<number>): Promise<number>;
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
