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
export { renderIdempotencyKey } from './idempotency-key.ts';
export type { RoutedBatch } from './route-batch.ts';
export { routeMessages } from './route-batch.ts';
export type { RouteTrigger, RouteTriggerResult } from './route-trigger.ts';
export { routeTriggerOf } from './route-trigger.ts';
export type { RouterOptions, RouteStats } from './router.ts';
export { Router } from './router.ts';
export type { RouterTriggersOptions } from './router-triggers.ts';
export { RouterTriggers } from './router-triggers.ts';
export type { SqlHook } from './sql-hook.ts';
export type { TenantSettingsOptions } from './tenant-settings.ts';
export { TenantSettings } from './tenant-settings.ts';
export type { RoutableTrigger } from './trigger.ts';
export type { TriggerIndexOptions, TriggerReload, TriggerUpsert } from './trigger-index.ts';
export { TriggerIndex } from './trigger-index.ts';
export { byTriggerId, scanTriggers } from './trigger-scan.ts';
export type { UnmatchedDeadLettersOptions } from './unmatched-dead-letter.ts';
export { UnmatchedDeadLetters, unmatchedDeadLetter, unmatchedDeadLetterId } from './unmatched-dead-letter.ts';
