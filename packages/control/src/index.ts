export type { ConnectionForActionDeps } from './actions/connection-for-action.ts';
export { connectionForAction } from './actions/connection-for-action.ts';
export type { FollowUpEmitterDeps } from './actions/follow-up-emitter.ts';
export { followUpEmitter } from './actions/follow-up-emitter.ts';
export type { RegisterApiClientsDeps } from './actions/register-api-clients.ts';
export {
  apiClientRegistration,
  registerApiClients,
  registeredVersions,
} from './actions/register-api-clients.ts';
export { generateApiKey, hashApiKey, isAdminKey } from './api-keys.ts';
export { openConfig, redactConfig, SEALED_PLACEHOLDER, sealConfig } from './connection-config.ts';
export { ConnectionWorkflows, type CreateConnection } from './connection-workflows.ts';
export type { ControlDeps } from './control-deps.ts';
export { DeadLetterWorkflows, type ReplayOutcome, replayError } from './dead-letter-workflows.ts';
export {
  type BulkReplayProgress,
  type BulkReplayRequest,
  type BulkReplayStart,
  BulkReplays,
  type FailedItem,
  type ReplayedItem,
} from './dead-letters/bulk-replay.ts';
export { DeadLetterDepthAlerts } from './dead-letters/depth-alerts.ts';
export { Pacer, type PacerClock, realPacerClock } from './dead-letters/pacer.ts';
export { checkReplayFilter, type ReplayFilter } from './dead-letters/replay-filter.ts';
export { MIN_POLICY_SECONDS, type NewReplayPolicy, ReplayPolicies } from './dead-letters/replay-policies.ts';
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
export { TenantActionPolicy, type TenantActionPolicyOptions } from './tenant-action-policy.ts';
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
