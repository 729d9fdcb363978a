import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  type Bus,
  type BusMessage,
  type BusTopic,
  busMessageOf,
  type ClaimedEntry,
  contextOfTraceparent,
  type Outbox,
  PLATFORM_CONNECTOR_ID,
  PLATFORM_EVENT_TOPICS,
  type PlatformEventType,
  traceparentOfSpan,
  tracer,
} from '@sluice/core';

/** What one pass of the relay did. */
export interface RelayPass {
  /** Rows claimed from the outbox. */
  readonly claimed: number;
  /** Messages published on `envelopes`. */
  readonly published: number;
  /** Platform events among them, published once more on their own topic (`runs`, `webhooks`, …). */
  readonly platform: number;
  /** Quiet envelopes found in the claim: marked relayed at once, never published. */
  readonly quiet: number;
  /** How long the oldest claimed envelope waited since it was received, in ms; null for an empty pass. */
  readonly lagMs: number | null;
  /** For each published envelope, from its outbox row's write to its publish, in ms. */
  readonly commitToRelayMs: ReadonlyArray<number>;
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
 * Claims committed rows (in commit order, each connection's by sequence) and publishes them in that order.
 * The rows stay leased until the router acknowledges them (`Outbox.acknowledge`, after their jobs are
 * created); meanwhile no relay claims their connection again. A crash, a failed publish, or a bus that lost
 * the messages leaves them unacknowledged: when the lease lapses they are claimed and published again, so
 * delivery is at least once and the router absorbs the repeat. Quiet rows are marked relayed here.
 */
export async function relayPass(options: RelayPassOptions): Promise<RelayPass> {
  const { outbox, bus, owner } = options;
  const claimed = await outbox.claim({ owner, limit: options.limit, leaseMs: options.leaseMs });
  if (claimed.length === 0) {
    return { claimed: 0, published: 0, platform: 0, quiet: 0, lagMs: null, commitToRelayMs: [] };
  }
  const live = claimed.filter((entry) => entry.envelope.mode === 'live');
  const quiet = claimed.filter((entry) => entry.envelope.mode !== 'live');
  const byTopic = platformTopicsOf(live);
  const commitToRelayMs: number[] = [];
  if (live.length > 0) {
    // One span per envelope, continuing the trace its ingest span began (carried on the outbox row).
    const traced = live.map((entry) => ({
      entry,
      span: tracer.startSpan(
        'relay',
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'sluice.event_id': entry.envelope.event_id,
            'sluice.tenant_id': entry.tenant_id,
            'sluice.connection_id': entry.connection_id,
            'messaging.destination.name': 'envelopes',
          },
        },
        contextOfTraceparent(entry.traceparent),
      ),
    }));
    const relayedAt = options.now().getTime();
    try {
      const messages = new Map<ClaimedEntry, BusMessage>();
      for (const { entry, span } of traced) {
        messages.set(
          entry,
          busMessageOf(entry.envelope, {
            origin: entry.origin,
            position: entry.position,
            traceparent: traceparentOfSpan(span),
            relayed_at: relayedAt,
          }),
        );
      }
      await bus.publish('envelopes', [...messages.values()]);
      // After `envelopes`, so the router sees a receipt no later than its topic's subscribers; a failure
      // here re-sends both (at least once).
      for (const [topic, entries] of byTopic) {
        await bus.publish(
          topic,
          entries.map((entry) => messages.get(entry) as BusMessage),
        );
      }
    } catch (error) {
      for (const { span } of traced) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.end();
      }
      // Claimed again after the backoff, not after the lease; some may have been published (at least once).
      await outbox
        .release(
          owner,
          claimed.map((entry) => entry.id),
        )
        .catch(() => 0);
      throw error;
    }
    for (const { span } of traced) span.end();
    for (const entry of live) commitToRelayMs.push(Math.max(0, relayedAt - Date.parse(entry.committed_at)));
  }
  // Ingest writes no outbox row for a quiet envelope; one found here is never routed, and never waits.
  if (quiet.length > 0) {
    await outbox.markRelayed(
      owner,
      quiet.map((entry) => entry.id),
    );
  }
  return {
    claimed: claimed.length,
    published: live.length,
    platform: [...byTopic.values()].reduce((sum, entries) => sum + entries.length, 0),
    quiet: quiet.length,
    lagMs: lagOf(claimed, options.now()),
    commitToRelayMs,
  };
}

/**
 * The platform events of a claim by their topic (`PLATFORM_EVENT_TOPICS`), each topic's in claim order.
 * They keep the key of every envelope, the tenant's platform connection, so a topic's subscriber reads
 * one tenant's receipts in the order they committed.
 */
function platformTopicsOf(live: ReadonlyArray<ClaimedEntry>): Map<BusTopic, ClaimedEntry[]> {
  const byTopic = new Map<BusTopic, ClaimedEntry[]>();
  for (const entry of live) {
    if (entry.envelope.source !== PLATFORM_CONNECTOR_ID) continue;
    const type = entry.envelope.event_type;
    if (!Object.hasOwn(PLATFORM_EVENT_TOPICS, type)) continue;
    const topic = PLATFORM_EVENT_TOPICS[type as PlatformEventType];
    const entries = byTopic.get(topic);
    if (entries === undefined) byTopic.set(topic, [entry]);
    else entries.push(entry);
  }
  return byTopic;
}

function lagOf(claimed: ReadonlyArray<ClaimedEntry>, now: Date): number | null {
  let oldest = Number.POSITIVE_INFINITY;
  for (const entry of claimed) {
    const at = Date.parse(entry.envelope.received_at);
    if (at < oldest) oldest = at;
  }
  return Number.isFinite(oldest) ? Math.max(0, now.getTime() - oldest) : null;
}
