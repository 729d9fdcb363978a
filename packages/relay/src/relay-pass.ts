import { type Bus, busMessageOf, type ClaimedEntry, type Outbox } from '@sluice/core';

/** What one pass of the relay did. */
export interface RelayPass {
  /** Rows claimed from the outbox. */
  readonly claimed: number;
  /** Messages published on `envelopes`. */
  readonly published: number;
  /** Quiet envelopes found in the claim: marked relayed, never published. */
  readonly quiet: number;
  /** Rows marked relayed; fewer than claimed when a lease lapsed and another relay took the rows. */
  readonly marked: number;
  /** How long the oldest claimed envelope waited since it was received, in ms; null for an empty pass. */
  readonly lagMs: number | null;
}

export interface RelayPassOptions {
  readonly outbox: Outbox;
  readonly bus: Bus;
  readonly owner: string;
  readonly limit: number;
  readonly leaseMs: number;
  readonly now: () => Date;
}

/**
 * Claims committed rows in commit order, publishes them in that order (each connection's rows keep their
 * sequence, since a connection's pending rows are leased to one relay at a time), and only then marks them
 * relayed. A crash or a failed publish before the mark leaves the rows leased: when the lease lapses they
 * are claimed and published again, so delivery is at least once and the router absorbs the repeat.
 */
export async function relayPass(options: RelayPassOptions): Promise<RelayPass> {
  const { outbox, bus, owner } = options;
  const claimed = await outbox.claim({ owner, limit: options.limit, leaseMs: options.leaseMs });
  if (claimed.length === 0) return { claimed: 0, published: 0, quiet: 0, marked: 0, lagMs: null };
  const live = claimed.filter((entry) => entry.envelope.mode === 'live');
  if (live.length > 0) {
    await bus.publish(
      'envelopes',
      live.map((entry) => busMessageOf(entry.envelope, { origin: entry.origin, position: entry.position })),
    );
  }
  const marked = await outbox.markRelayed(
    owner,
    claimed.map((entry) => entry.id),
  );
  return {
    claimed: claimed.length,
    published: live.length,
    quiet: claimed.length - live.length,
    marked,
    lagMs: lagOf(claimed, options.now()),
  };
}

function lagOf(claimed: ReadonlyArray<ClaimedEntry>, now: Date): number | null {
  let oldest = Number.POSITIVE_INFINITY;
  for (const entry of claimed) {
    const at = Date.parse(entry.envelope.received_at);
    if (at < oldest) oldest = at;
  }
  return Number.isFinite(oldest) ? Math.max(0, now.getTime() - oldest) : null;
}
