import type { SqlClient } from '@sluice/store';
import type { WebhookTarget } from '../webhook-target.ts';
import type { AckedEvent } from './webhook-load.ts';

/** A trigger of a scenario: where its action delivers and which acknowledged events it must match. */
export interface ChaosTrigger {
  readonly id: string;
  /** The path on the webhook target its action posts to. */
  readonly path: string;
  /** The target its action posts to, when not the scenario's main one. */
  readonly target?: WebhookTarget;
  readonly matches: (event: AckedEvent) => boolean;
}

/** What a scenario counts at the end, the figures every chaos summary has. */
export interface LedgerCounts {
  /** Deliveries answered with a 2xx. */
  readonly acked: number;
  /** Acknowledged events found stored. */
  readonly stored: number;
  /** Jobs of the acknowledged events (one per event and matching trigger is right). */
  readonly routed: number;
  /** (event, trigger) pairs whose action took effect at the target. */
  readonly delivered: number;
  /** Acknowledged events not stored, routes not made, actions that never took effect. */
  readonly lost: number;
  /** Events stored twice, routes made twice, effects that happened twice (two webhook-ids for one job). */
  readonly duplicated: number;
  /** Entities the target saw two deliveries of at once. */
  readonly concurrent_entities: number;
  /** Jobs not finished (queued, running, retrying) or dead-lettered. */
  readonly unfinished_jobs: number;
  /** Each kind of loss or duplicate, with a few examples, for a failure message. */
  readonly problems: ReadonlyArray<string>;
}

/** Everything each acknowledged event should have caused: one envelope, one job per matching trigger, one effect each. */
export class Ledger {
  private readonly sql: SqlClient;
  private readonly tenantId: string;
  private readonly triggers: ReadonlyArray<ChaosTrigger>;
  private readonly target: WebhookTarget;

  constructor(
    sql: SqlClient,
    tenantId: string,
    triggers: ReadonlyArray<ChaosTrigger>,
    target: WebhookTarget,
  ) {
    this.sql = sql;
    this.tenantId = tenantId;
    this.triggers = triggers;
    this.target = target;
  }

  /** The main target and each trigger's own. */
  private targets(): WebhookTarget[] {
    return [...new Set([this.target, ...this.triggers.flatMap((t) => (t.target ? [t.target] : []))])];
  }

  /** Counts the effects at the targets of each (event, path), as distinct webhook-ids. */
  private effects(): Map<string, Set<string>> {
    const byPair = new Map<string, Set<string>>();
    for (const delivery of this.targets().flatMap((target) => target.deliveries)) {
      const pair = `${delivery.envelope.event_id} ${delivery.path}`;
      const ids = byPair.get(pair) ?? new Set<string>();
      ids.add(delivery.webhookId);
      byPair.set(pair, ids);
    }
    return byPair;
  }

  async count(acked: ReadonlyMap<string, AckedEvent>): Promise<LedgerCounts> {
    const problems = new Map<string, string[]>();
    const problem = (kind: string, example: string) => {
      const list = problems.get(kind) ?? [];
      list.push(example);
      problems.set(kind, list);
    };
    const envelopes = await this.sql.query<{ event_id: string; dedupe_key: string }>(
      'SELECT event_id::text AS event_id, dedupe_key FROM envelopes WHERE tenant_id = $1',
      [this.tenantId],
    );
    const byKey = new Map<string, string[]>();
    for (const row of envelopes)
      byKey.set(row.dedupe_key, [...(byKey.get(row.dedupe_key) ?? []), row.event_id]);
    const jobs = await this.sql.query<{ event_id: string; trigger_id: string; status: string }>(
      'SELECT event_id::text AS event_id, trigger_id, status FROM jobs WHERE tenant_id = $1',
      [this.tenantId],
    );
    const jobsByPair = new Map<string, number>();
    let unfinished = 0;
    for (const job of jobs) {
      const pair = `${job.event_id} ${job.trigger_id}`;
      jobsByPair.set(pair, (jobsByPair.get(pair) ?? 0) + 1);
      if (job.status !== 'succeeded') unfinished++;
    }
    const effects = this.effects();
    let stored = 0;
    let routed = 0;
    let delivered = 0;
    let lost = 0;
    let duplicated = 0;
    for (const event of acked.values()) {
      const ids = byKey.get(event.dedupeKey) ?? [];
      if (ids.length === 0) {
        lost++;
        problem('acknowledged but not stored', event.dedupeKey);
        continue;
      }
      stored++;
      if (ids.length > 1) {
        duplicated += ids.length - 1;
        problem('stored twice', event.dedupeKey);
      }
      const eventId = ids[0] as string;
      for (const trigger of this.triggers) {
        const jobCount = jobsByPair.get(`${eventId} ${trigger.id}`) ?? 0;
        const webhookIds = effects.get(`${eventId} ${trigger.path}`)?.size ?? 0;
        routed += jobCount;
        if (!trigger.matches(event)) {
          if (jobCount > 0 || webhookIds > 0) {
            duplicated += jobCount;
            problem('routed to a trigger that does not match', `${event.dedupeKey} → ${trigger.path}`);
          }
          continue;
        }
        if (jobCount === 0) {
          lost++;
          problem('stored but not routed', `${event.dedupeKey} → ${trigger.path}`);
        } else if (jobCount > 1) {
          duplicated += jobCount - 1;
          problem('routed twice', `${event.dedupeKey} → ${trigger.path}`);
        }
        if (webhookIds === 0) {
          if (jobCount > 0) lost++;
          if (jobCount > 0) problem('routed but never took effect', `${event.dedupeKey} → ${trigger.path}`);
        } else {
          delivered++;
          if (webhookIds > 1) {
            duplicated += webhookIds - 1;
            problem('took effect twice (two webhook-ids)', `${event.dedupeKey} → ${trigger.path}`);
          }
        }
      }
    }
    const targets = this.targets();
    const concurrent = targets.flatMap((t) => [...t.maxInFlight.entries()].filter(([, n]) => n > 1));
    for (const [entity] of concurrent) problem('two deliveries of one entity at once', entity);
    const unverified = targets.flatMap((t) => t.unverified);
    if (unverified.length > 0) problem('signature did not verify', unverified[0] ?? '');
    return {
      acked: acked.size,
      stored,
      routed,
      delivered,
      lost,
      duplicated,
      concurrent_entities: concurrent.length,
      unfinished_jobs: unfinished,
      problems: [...problems].map(
        ([kind, examples]) => `${kind}: ${examples.length} (${examples.slice(0, 3).join('; ')})`,
      ),
    };
  }
}
