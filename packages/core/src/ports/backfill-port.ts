import type { EnvelopeMode } from '../envelope.ts';

/** A backfill's counts so far (they sum the passes of a resumed backfill). */
export interface BackfillCounts {
  readonly pages: number;
  readonly records: number;
  readonly emitted: number;
  readonly duplicates: number;
}

/** One run of a poll stream over a past window (`POST /connections/{id}/backfills`). */
export interface Backfill {
  readonly id: string;
  readonly tenant_id: string;
  readonly connection_id: string;
  readonly stream: string;
  readonly since: string;
  readonly until: string;
  readonly mode: EnvelopeMode;
  readonly status: 'running' | 'completed' | 'failed';
  readonly counts: BackfillCounts;
  /** Where its cursor is kept (`backfill:<id>`), committed with each page. */
  readonly cursor_key: string;
  readonly error: string | null;
  readonly rate_limited_until: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export type NewBackfill = Pick<
  Backfill,
  'id' | 'tenant_id' | 'connection_id' | 'stream' | 'since' | 'until' | 'mode'
>;

/** Backfills and their progress. Every read is scoped by tenant, except the restart's `running()`. */
export interface BackfillStore {
  create(backfill: NewBackfill): Promise<Backfill>;
  get(tenantId: string, id: string): Promise<Backfill | null>;
  /** Progress, status, error or pause; returns the row as stored. */
  update(
    tenantId: string,
    id: string,
    change: Partial<Pick<Backfill, 'status' | 'counts' | 'error' | 'rate_limited_until'>>,
  ): Promise<Backfill | null>;
  /** Every backfill still `running`, oldest first, whoever holds it. */
  running(): Promise<ReadonlyArray<Backfill>>;
  /**
   * Leases `running` backfills to `owner` until now + `leaseMs`: those whose lease is free or has lapsed
   * (its holder died or stopped renewing), oldest first, at most `limit` (or only the one `id`). Any number
   * of processes may claim at once: each backfill goes to one of them (`SKIP LOCKED`).
   */
  claim(
    owner: string,
    leaseMs: number,
    options?: { readonly id?: string; readonly limit?: number },
  ): Promise<ReadonlyArray<Backfill>>;
  /** Renews `owner`'s lease; false when it is no longer `owner`'s (taken over, finished or gone). */
  renewLease(tenantId: string, id: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Lets go of `owner`'s lease (its pass stopped), so another process may take the backfill at once. */
  releaseLease(tenantId: string, id: string, owner: string): Promise<void>;
}
