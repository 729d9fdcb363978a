export { cesqlHook } from './cesql-hook.ts';
export type {
  CompileConditionOptions,
  CompiledCondition,
  EnvelopePredicate,
} from './compile-condition.ts';
export { compileCondition } from './compile-condition.ts';
export type {
  CompiledTrigger,
  TriggerCompilation,
  TriggerProblem,
  TriggerRule,
} from './compile-trigger.ts';
export { compileTrigger, MAX_EVENT_TYPES } from './compile-trigger.ts';
export type { ConditionValidation, ValidateConditionOptions } from './condition-ast.ts';
export { validateCondition } from './condition-ast.ts';
export { printCondition } from './condition-printer.ts';
export type { ConditionProblem, ConditionRule } from './condition-problem.ts';
export { CONDITION_LIMITS } from './condition-problem.ts';
export type { ConditionTextResult } from './condition-text.ts';
export { parseCondition } from './condition-text.ts';
export type { EventTypePattern, EventTypePatternResult } from './event-type-pattern.ts';
export { matchesEventType, PATTERN_LIMITS, parseEventTypePattern } from './event-type-pattern.ts';
export type { SqlHook } from './sql-hook.ts';
export type { RoutableTrigger } from './trigger.ts';
export type { TriggerIndexOptions, TriggerReload, TriggerUpsert } from './trigger-index.ts';
export { TriggerIndex } from './trigger-index.ts';
export { byTriggerId, scanTriggers } from './trigger-scan.ts';
