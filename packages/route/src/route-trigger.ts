import type { Condition, Priority, Trigger } from '@sluice/core';
import type { TriggerProblem } from './compile-trigger.ts';
import { parseCondition } from './condition-text.ts';
import type { RoutableTrigger } from './trigger.ts';

/** A stored trigger as the router indexes it: its condition in AST form, and what a job needs of it. */
export interface RouteTrigger extends RoutableTrigger {
  readonly condition: Condition | null;
  /** Null: the default priority of the event's origin. */
  readonly priority: Priority | null;
  /** The jobs' idempotency-key template; null: `{trigger_id}:{event_id}`. */
  readonly idempotency_key: string | null;
}

/** The routable form of a stored trigger, or the problem of its text condition. */
export type RouteTriggerResult =
  | { readonly ok: true; readonly trigger: RouteTrigger }
  | { readonly ok: false; readonly id: string; readonly problems: ReadonlyArray<TriggerProblem> };

/**
 * Turns a stored trigger into the router's form: a text condition (`payload.total gt 100 and ...`) is
 * parsed into the AST here; the AST and `{sql}` forms pass as they are and are compiled by the index.
 */
export function routeTriggerOf(trigger: Trigger): RouteTriggerResult {
  let condition: Condition | null;
  if (typeof trigger.condition === 'string') {
    const parsed = parseCondition(trigger.condition);
    if (!parsed.ok) {
      const message = `condition: rule node_shape: the text form does not parse: ${parsed.error.message}`;
      return { ok: false, id: trigger.id, problems: [{ path: 'condition', rule: 'node_shape', message }] };
    }
    condition = parsed.condition;
  } else {
    condition = trigger.condition;
  }
  return {
    ok: true,
    trigger: {
      id: trigger.id,
      tenant_id: trigger.tenant_id,
      event_types: trigger.event_types,
      condition,
      priority: trigger.priority,
      idempotency_key: trigger.idempotency_key ?? null,
      enabled: trigger.enabled,
    },
  };
}
