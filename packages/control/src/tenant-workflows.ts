import {
  type ApiKeyRecord,
  type ChangeFeed,
  SluiceError,
  type Stores,
  type Tenant,
  type TenantChanges,
} from '@sluice/core';
import { checkKindPatterns } from '@sluice/execute';
import { generateApiKey } from './api-keys.ts';

/** Told after a tenant's time zone changed from `from` to `to`. */
export type TimezoneChanged = (tenantId: string, from: string, to: string) => Promise<void>;

/** An issued API key: the record, and the key itself, shown this once. */
export type IssuedApiKey = ApiKeyRecord & { readonly key: string };

/** Tenants and their API keys. Keys are stored hashed; the plaintext leaves only in the response that made it. */
export class TenantWorkflows {
  readonly #stores: Pick<Stores, 'tenancy'>;
  readonly #changes: ChangeFeed | undefined;
  readonly #onTimezoneChanged: TimezoneChanged | undefined;

  /**
   * `changes` hears of setting changes (routers reload a tenant's setting); none: nobody is told.
   * `onTimezoneChanged` moves the tenant's schedules to its new zone.
   */
  constructor(
    stores: Pick<Stores, 'tenancy'>,
    changes?: ChangeFeed,
    options: { readonly onTimezoneChanged?: TimezoneChanged } = {},
  ) {
    this.#stores = stores;
    this.#changes = changes;
    this.#onTimezoneChanged = options.onTimezoneChanged;
  }

  /**
   * Changes a tenant's name, its `unmatched_events` setting, its `dead_letter_alert_threshold`, its
   * `timezone` (its poll streams and the cron schedules in its old zone are rescheduled in the new one) or
   * its action policy (`allowed_actions`, `dry_run`), and says so after the commit.
   * @throws SluiceError `validation_failed` naming every `allowed_actions` entry that is not a kind
   *   (`details.problems`, each `{path, rule, message}`); nothing is changed.
   */
  async update(tenantId: string, changes: TenantChanges): Promise<Tenant> {
    if (changes.timezone !== undefined && !isTimeZone(changes.timezone)) {
      throw new SluiceError(
        'invalid_request',
        `timezone ${JSON.stringify(changes.timezone)} is not an IANA time zone such as Europe/Berlin.`,
      );
    }
    if (changes.allowed_actions !== undefined && changes.allowed_actions !== null) {
      const checked = checkKindPatterns(changes.allowed_actions);
      if (!checked.ok) {
        throw new SluiceError('validation_failed', checked.problems.map((p) => p.message).join('; '), {
          details: { problems: checked.problems },
        });
      }
    }
    const before = changes.timezone === undefined ? null : await this.#stores.tenancy.getTenant(tenantId);
    const tenant = await this.#stores.tenancy.updateTenant(tenantId, changes);
    if (tenant === null) throw new SluiceError('tenant_not_found', `Tenant "${tenantId}" does not exist.`);
    if (before !== null && before.timezone !== tenant.timezone) {
      await this.#onTimezoneChanged?.(tenantId, before.timezone, tenant.timezone);
    }
    await this.#changes?.publish({ kind: 'tenant', tenant_id: tenantId, id: tenantId });
    return tenant;
  }

  /** A new tenant with its first API key. */
  async create(input: {
    readonly name: string;
    readonly reseller_id?: string | null;
    readonly id?: string;
  }): Promise<{ tenant: Tenant; api_key: IssuedApiKey }> {
    const tenant = await this.#stores.tenancy.createTenant({
      name: input.name,
      reseller_id: input.reseller_id ?? null,
      ...(input.id === undefined ? {} : { id: input.id }),
    });
    return { tenant, api_key: await this.issueKey(tenant.id, 'default') };
  }

  /** Another API key for an existing tenant. */
  async issueKey(tenantId: string, name: string): Promise<IssuedApiKey> {
    if ((await this.#stores.tenancy.getTenant(tenantId)) === null) {
      throw new SluiceError('tenant_not_found', `Tenant "${tenantId}" does not exist.`);
    }
    const { key, prefix, hash } = generateApiKey();
    const record = await this.#stores.tenancy.createApiKey({ tenant_id: tenantId, name, prefix, hash });
    return { ...record, key };
  }
}

/** True for an IANA time zone name the runtime knows (`UTC`, `Europe/Berlin`). */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return value !== '';
  } catch {
    return false;
  }
}
