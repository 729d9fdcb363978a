import {
  type CompileConditionOptions,
  compileCondition,
  type EnvelopePredicate,
} from './compile-condition.ts';
import type { ConditionRule } from './condition-problem.ts';
import { type EventTypePattern, parseEventTypePattern } from './event-type-pattern.ts';
import type { RoutableTrigger } from './trigger.ts';

/** The rules a trigger is checked against: its condition's, plus its shape and patterns. */
export type TriggerRule = ConditionRule | 'trigger_shape' | 'event_types_size' | 'event_type_pattern';

/** One broken rule of a trigger, at a JSON path such as `event_types[1]` or `condition.all[0].op`. */
export interface TriggerProblem {
  readonly path: string;
  readonly rule: TriggerRule;
  readonly message: string;
}

/** A trigger with its patterns parsed and its condition compiled, ready to index. */
export interface CompiledTrigger<T extends RoutableTrigger> {
  readonly trigger: T;
  readonly patterns: ReadonlyArray<EventTypePattern>;
  /** Null when the trigger has no condition. */
  readonly condition: EnvelopePredicate | null;
}

/** The compiled trigger, or every problem found. */
export type TriggerCompilation<T extends RoutableTrigger> =
  | { readonly ok: true; readonly compiled: CompiledTrigger<T> }
  | { readonly ok: false; readonly problems: ReadonlyArray<TriggerProblem> };

/** Patterns one trigger may list. */
export const MAX_EVENT_TYPES = 32;

const problem = (path: string, rule: TriggerRule, text: string): TriggerProblem => ({
  path,
  rule,
  message: `${path}: rule ${rule}: ${text}`,
});

/** Checks and compiles a trigger's patterns and condition. Never throws. */
export function compileTrigger<T extends RoutableTrigger>(
  trigger: T,
  options: Pick<CompileConditionOptions, 'sql'> = {},
): TriggerCompilation<T> {
  const problems: TriggerProblem[] = [];
  if (typeof trigger.id !== 'string' || trigger.id === '' || typeof trigger.tenant_id !== 'string') {
    problems.push(problem('id', 'trigger_shape', 'a trigger has a string id and tenant_id'));
  }
  const types: unknown = trigger.event_types;
  const patterns: EventTypePattern[] = [];
  if (!Array.isArray(types) || types.length < 1 || types.length > MAX_EVENT_TYPES) {
    const got = Array.isArray(types) ? `${types.length} patterns` : typeof types;
    problems.push(
      problem(
        'event_types',
        'event_types_size',
        `lists 1 to ${MAX_EVENT_TYPES} event-type patterns, got ${got}`,
      ),
    );
  } else {
    types.forEach((text: unknown, i) => {
      const parsed = parseEventTypePattern(text);
      if (parsed.ok) patterns.push(parsed.pattern);
      else problems.push(problem(`event_types[${i}]`, 'event_type_pattern', parsed.message));
    });
  }
  let condition: EnvelopePredicate | null = null;
  if (trigger.condition !== undefined && trigger.condition !== null) {
    const compiled = compileCondition(trigger.condition, { sql: options.sql });
    if (compiled.ok) condition = compiled.matches;
    else problems.push(...compiled.problems);
  }
  return problems.length === 0
    ? { ok: true, compiled: { trigger, patterns, condition } }
    : { ok: false, problems };
}
