import type { TenancyStore } from '@sluice/core';
import type { PlanPolicy } from '@sluice/execute';

export interface TenantActionPolicyOptions {
  readonly tenancy: Pick<TenancyStore, 'getTenant'>;
  /** The kinds of a tenant whose `allowed_actions` is null (`SLUICE_ALLOWED_ACTIONS`). */
  readonly defaultAllowed: ReadonlyArray<string>;
  /** How long a tenant's policy is kept without a change notice, in ms; 1,000 by default. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly allowed: ReadonlyArray<string>;
  readonly dryRun: boolean;
  readonly until: number;
}

/**
 * Each tenant's action policy as its settings say (`allowed_actions`, `dry_run`; PATCH /api/v1/tenant),
 * the server's default where it has none. Read once per tenant and kept for `ttlMs`, dropped early on a
 * tenant change notice, so the executor does not read the tenant for every job. An unknown tenant allows
 * nothing.
 */
export class TenantActionPolicy implements PlanPolicy {
  readonly #options: TenantActionPolicyOptions;
  readonly #cache = new Map<string, Entry>();
  readonly #reading = new Map<string, Promise<Entry>>();

  constructor(options: TenantActionPolicyOptions) {
    this.#options = options;
  }

  async allowedKinds(tenantId: string): Promise<ReadonlyArray<string>> {
    return (await this.#entry(tenantId)).allowed;
  }

  async dryRun(tenantId: string): Promise<boolean> {
    return (await this.#entry(tenantId)).dryRun;
  }

  /** Forgets one tenant's policy (after a change notice). */
  invalidate(tenantId: string): void {
    this.#cache.delete(tenantId);
    this.#reading.delete(tenantId);
  }

  async #entry(tenantId: string): Promise<Entry> {
    const now = (this.#options.now ?? Date.now)();
    const cached = this.#cache.get(tenantId);
    if (cached !== undefined && cached.until > now) return cached;
    // The jobs that find the entry expired together wait for one read, not one read each.
    let pending = this.#reading.get(tenantId);
    if (pending === undefined) {
      const read = this.#read(tenantId, now).finally(() => {
        if (this.#reading.get(tenantId) === read) this.#reading.delete(tenantId);
      });
      pending = read;
      this.#reading.set(tenantId, read);
    }
    return pending;
  }

  async #read(tenantId: string, now: number): Promise<Entry> {
    const tenant = await this.#options.tenancy.getTenant(tenantId);
    const entry: Entry = {
      allowed: tenant === null ? [] : (tenant.allowed_actions ?? this.#options.defaultAllowed),
      dryRun: tenant?.dry_run ?? false,
      until: now + (this.#options.ttlMs ?? 1_000),
    };
    this.#cache.set(tenantId, entry);
    return entry;
  }
}
