export { generateApiKey, hashApiKey, isAdminKey } from './api-keys.ts';
export { openConfig, redactConfig, SEALED_PLACEHOLDER, sealConfig } from './connection-config.ts';
export { ConnectionWorkflows, type CreateConnection } from './connection-workflows.ts';
export type { ControlDeps } from './control-deps.ts';
export {
  type BulkReplay,
  DeadLetterWorkflows,
  type ReplayOutcome,
  replayError,
} from './dead-letter-workflows.ts';
export { JobWorkflows } from './jobs/job-workflows.ts';
export { SecretBox } from './secret-box.ts';
export { type ScheduleWorkflowDeps, ScheduleWorkflows } from './streams/schedule-workflows.ts';
export { type StreamWorkflowDeps, StreamWorkflows, streamStatusFact } from './streams/stream-workflows.ts';
export { CONFIG_KEYS, type Subscription } from './subscriptions/subscription.ts';
export {
  FILTER_DIALECTS,
  type SubscriptionFilter,
} from './subscriptions/subscription-filters.ts';
export { SubscriptionWorkflows } from './subscriptions/subscription-workflows.ts';
export { type IssuedApiKey, isTimeZone, TenantWorkflows } from './tenant-workflows.ts';
export { type ParsedAction, parseAction } from './triggers/trigger-action.ts';
export {
  type DraftResult,
  type ParseTriggerOptions,
  parseTriggerBody,
  type SqlCheck,
  type TriggerDraft,
} from './triggers/trigger-body.ts';
export type { TriggerBodyRule, TriggerFieldProblem, TriggerFieldRule } from './triggers/trigger-problem.ts';
export {
  type TriggerDeps,
  type TriggerListFilter,
  TriggerWorkflows,
  type TriggerWritten,
} from './triggers/trigger-workflows.ts';
export { isWebhookSecret } from './triggers/webhook-secret.ts';
