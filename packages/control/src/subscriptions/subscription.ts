import type { SubscriptionFilter } from './subscription-filters.ts';

/**
 * A subscription as the CloudEvents Subscriptions API shows it: the face of a trigger whose action is
 * http. `config` carries what a trigger has and the API does not (strings only, per the API): `name`,
 * `enabled`, `priority`, `format`, and `condition` (the text form) when the condition uses the trigger
 * condition language and so cannot be shown as filters.
 */
export interface Subscription {
  /** The trigger id, `trg_…`. */
  readonly id: string;
  readonly protocol: 'HTTP';
  readonly sink: string;
  /** The trigger's event-type patterns (exact types, or globs such as `order.*`). */
  readonly types: ReadonlyArray<string>;
  readonly filters?: ReadonlyArray<SubscriptionFilter>;
  readonly protocolsettings: { readonly method: 'POST'; readonly headers?: Readonly<Record<string, string>> };
  readonly config: Readonly<Record<string, string>>;
}

/** The keys `config` may hold. */
export const CONFIG_KEYS = ['name', 'enabled', 'priority', 'format', 'condition', 'secret'] as const;
