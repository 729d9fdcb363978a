import { type DeadLetterDepth, platformDedupeKey, type Stores } from '@sluice/core';
import type { PlatformEvents } from '@sluice/ingest';

/**
 * Dead-letter depth alerts: `check` compares each tenant's pending dead letters with its
 * `dead_letter_alert_threshold` and, on a crossing, publishes `dead_letters.threshold_crossed` (depth
 * above the threshold) or `dead_letters.recovered` (back at or below it) once. The tenant row holds
 * whether it is above, changed in the transaction that writes the event, so processes checking at once
 * say it once.
 */
export class DeadLetterDepthAlerts {
  readonly #stores: Stores;
  readonly #platform: PlatformEvents;
  readonly #now: () => Date;
  /** What this process last saw per tenant, so a steady state costs no write. */
  readonly #seen = new Map<string, boolean>();

  constructor(stores: Stores, platform: PlatformEvents, now: () => Date) {
    this.#stores = stores;
    this.#platform = platform;
    this.#now = now;
  }

  /** One check; `depth` when the caller has read it already (the gauge). The events it published. */
  async check(depth?: ReadonlyArray<DeadLetterDepth>): Promise<number> {
    const rows = depth ?? (await this.#stores.deadLetters.depth());
    const pending = new Map<string, number>();
    for (const row of rows) pending.set(row.tenant_id, (pending.get(row.tenant_id) ?? 0) + row.pending);
    let published = 0;
    for (const tenant of await this.#stores.tenancy.listTenants()) {
      const threshold = tenant.dead_letter_alert_threshold;
      if (threshold === null) continue;
      const count = pending.get(tenant.id) ?? 0;
      const above = count > threshold;
      if (this.#seen.get(tenant.id) === above) continue;
      const at = this.#now().toISOString();
      const entity = { kind: 'tenant', id: tenant.id };
      const fact = await this.#platform.fact(tenant.id, {
        event_type: above ? 'dead_letters.threshold_crossed' : 'dead_letters.recovered',
        entity,
        dedupe_key: platformDedupeKey(entity, above ? 'dead_letters_crossed' : 'dead_letters_recovered', at),
        occurred_at: at,
        payload: { pending: count, threshold },
      });
      if (await this.#stores.tenancy.setDeadLetterAlert(tenant.id, above, [fact])) published++;
      this.#seen.set(tenant.id, above);
    }
    return published;
  }
}
