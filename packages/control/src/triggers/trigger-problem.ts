import { SluiceError } from '@sluice/core';
import type { TriggerRule } from '@sluice/route';

/**
 * The rules a trigger body is checked against, beyond those of `compileTrigger` (patterns, condition);
 * the stable `rule` of a problem.
 */
export type TriggerBodyRule =
  | 'body_type'
  | 'field_unknown'
  | 'field_missing'
  | 'changes_empty'
  | 'name_format'
  | 'enabled_type'
  | 'priority_unknown'
  | 'condition_syntax'
  | 'action_type'
  | 'action_type_unknown'
  | 'url_format'
  | 'format_unknown'
  | 'headers_format'
  | 'header_reserved'
  | 'secret_format'
  | 'handler_name_format'
  | 'connection_unknown'
  | 'connector_action_format'
  | 'connector_action_unknown'
  | 'action_not_allowed'
  | 'input_type'
  | 'single_flight_unknown'
  | 'idempotency_key_format'
  // A `retry` object, as `validateRetry` of @sluice/execute checks it:
  | 'value_type'
  | 'key_unknown'
  | 'value_range'
  | 'delay_order'
  | 'input_invalid'
  // The subscription face of triggers (CloudEvents Subscriptions API):
  | 'filter_dialect'
  | 'filter_attribute'
  | 'filter_value'
  | 'protocol_unsupported'
  | 'field_unsupported'
  | 'config_value'
  | 'id_mismatch';

/** Every rule a trigger can break. */
export type TriggerFieldRule = TriggerBodyRule | TriggerRule;

/** One broken rule of a trigger body, at a JSON path such as `action.url` or `condition.all[0].op`. */
export interface TriggerFieldProblem {
  readonly path: string;
  readonly rule: TriggerFieldRule;
  /** `action.url: rule url_format: …` */
  readonly message: string;
  /** The 1-based column of a text condition's syntax error. */
  readonly column?: number;
}

/** Builds a problem whose message names the path and the rule. */
export function fieldProblem(path: string, rule: TriggerFieldRule, text: string): TriggerFieldProblem {
  return { path, rule, message: `${path}: rule ${rule}: ${text}` };
}

/** A short, safe rendering of a bad value for a message. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `422 trigger_invalid` (or `subscription_invalid`) listing every problem in `details.problems`. */
export function invalid(
  code: 'trigger_invalid' | 'subscription_invalid',
  problems: ReadonlyArray<TriggerFieldProblem>,
): SluiceError {
  const what = code === 'trigger_invalid' ? 'trigger' : 'subscription';
  const first = problems[0]?.message ?? 'invalid';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new SluiceError(code, `The ${what} is invalid: ${first}${more}.`, { details: { problems } });
}
