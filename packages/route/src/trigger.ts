import type { Condition } from '@sluice/core';

/** What the router needs of a trigger; the stored trigger may carry more (name, priority, action). */
export interface RoutableTrigger {
  readonly id: string;
  readonly tenant_id: string;
  /** Event-type patterns: `order.created`, `order.*`, `*.created`, `*`. */
  readonly event_types: ReadonlyArray<string>;
  /** Absent or null: every envelope of a matching type. */
  readonly condition?: Condition | null | undefined;
  readonly enabled: boolean;
}
