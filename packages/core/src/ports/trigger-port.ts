import type {
  Priority,
  RetryPolicy,
  SingleFlightMode,
  Trigger,
  TriggerAction,
  TriggerCondition,
} from '../trigger.ts';
import type { Page, PageRequest } from './event-log-port.ts';

export interface NewTrigger {
  /** Chosen by the caller when it must seal a secret to the id; generated otherwise. */
  readonly id?: string;
  readonly tenant_id: string;
  readonly name: string;
  readonly event_types: ReadonlyArray<string>;
  readonly condition: TriggerCondition | null;
  readonly priority: Priority | null;
  /** Without its secret: that is kept sealed, apart. */
  readonly action: TriggerAction;
  /** The action's signing secret, sealed; null when the action has none. */
  readonly secret_ciphertext: string | null;
  readonly enabled: boolean;
  /** `queue` when absent. */
  readonly single_flight?: SingleFlightMode;
  /** Null or absent: the executor's defaults. */
  readonly retry?: RetryPolicy | null;
  /** Null or absent: `{trigger_id}:{event_id}`. */
  readonly idempotency_key?: string | null;
}

/** A partial update; an absent field is left as it is. */
export interface TriggerChanges {
  readonly name?: string;
  readonly event_types?: ReadonlyArray<string>;
  readonly condition?: TriggerCondition | null;
  readonly priority?: Priority | null;
  readonly action?: TriggerAction;
  /** Replaces the sealed secret when the action changes; absent leaves it. */
  readonly secret_ciphertext?: string | null;
  readonly enabled?: boolean;
  readonly single_flight?: SingleFlightMode;
  readonly retry?: RetryPolicy | null;
  readonly idempotency_key?: string | null;
}

/**
 * Triggers, every read and write scoped by tenant, except the router's load of every tenant's enabled
 * triggers at start.
 */
export interface TriggerStore {
  create(input: NewTrigger): Promise<Trigger>;
  get(tenantId: string, id: string): Promise<Trigger | null>;
  /** In id (creation) order. */
  list(tenantId: string, filter: { readonly enabled?: boolean }, page: PageRequest): Promise<Page<Trigger>>;
  /** Null when the tenant has no such trigger. Moves `updated_at`. */
  update(tenantId: string, id: string, changes: TriggerChanges): Promise<Trigger | null>;
  /** Deletes a trigger for good (its jobs stay); false when the tenant has no such trigger. */
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Every enabled trigger of one tenant, in id order (the router reloads a tenant on a change). */
  enabledOf(tenantId: string): Promise<ReadonlyArray<Trigger>>;
  /** Enabled triggers of every tenant in id order, a page at a time (the router's start-up load). */
  enabledAfter(afterId: string | null, limit: number): Promise<ReadonlyArray<Trigger>>;
  /** The sealed signing secret of a trigger's action, for the executor; null when none. */
  sealedSecret(tenantId: string, id: string): Promise<string | null>;
}
