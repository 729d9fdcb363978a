import type { TenancyStore, UnmatchedEvents } from '@sluice/core';

export interface TenantSettingsOptions {
  readonly tenancy: Pick<TenancyStore, 'getTenant'>;
  /** How long a tenant's setting is kept without a change notice, in ms; 10,000 by default. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * What the router does with a tenant's unmatched envelopes, cached: read on the first unmatched envelope,
 * kept for `ttlMs`, dropped early when the tenant changes. An unknown tenant reads as `drop`, the default.
 */
export class TenantSettings {
  readonly #options: TenantSettingsOptions;
  readonly #cache = new Map<string, { readonly value: UnmatchedEvents; readonly until: number }>();

  constructor(options: TenantSettingsOptions) {
    this.#options = options;
  }

  async unmatchedEvents(tenantId: string): Promise<UnmatchedEvents> {
    const now = (this.#options.now ?? Date.now)();
    const cached = this.#cache.get(tenantId);
    if (cached !== undefined && cached.until > now) return cached.value;
    const tenant = await this.#options.tenancy.getTenant(tenantId);
    const value = tenant?.unmatched_events ?? 'drop';
    this.#cache.set(tenantId, { value, until: now + (this.#options.ttlMs ?? 10_000) });
    return value;
  }

  /** Forgets one tenant's setting (after a change notice). */
  invalidate(tenantId: string): void {
    this.#cache.delete(tenantId);
  }
}
