export type { ActionContext, ActionOutcome, ActionRunner, AnyActionRunner } from './action-runner.ts';
export type { AddressClass, AddressClassification } from './address-class.ts';
export { classifyAddress, isAllowedClass, PRIVATE_CLASSES } from './address-class.ts';
export type { ApiClientBuild, ApiClientInput, BuiltApiClient } from './api/api-client.ts';
export { API_USER_AGENT, buildApiClient } from './api/api-client.ts';
export type { ApiHttpOptions, ApiHttpRequest, ApiHttpResult } from './api/api-http.ts';
export { ApiHttp, MAX_API_RESPONSE_BYTES } from './api/api-http.ts';
export type { AttemptDecision } from './attempt-decision.ts';
export { decideAfterAttempt } from './attempt-decision.ts';
export type { BreakerSignal } from './breaker-signal.ts';
export { breakerSignal, originOf } from './breaker-signal.ts';
export type { BreakerOptions, BreakerState, RedrivePace, SendPermit } from './circuit-breaker.ts';
export { CircuitBreaker, DEFAULT_BREAKER } from './circuit-breaker.ts';
export type {
  ConnectionFor,
  ConnectorActionRunnerOptions,
  ConnectorRunExpectations,
} from './connector-action-runner.ts';
export { ConnectorActionRunner } from './connector-action-runner.ts';
export type { DeliveryBody } from './delivery-body.ts';
export { deliveryBody } from './delivery-body.ts';
export type { HeaderProblem, HeaderRule } from './delivery-headers.ts';
export { HEADER_LIMITS, isReservedHeader, RESERVED_HEADERS, validateHeaders } from './delivery-headers.ts';
export type {
  Delivered,
  DeliveryOutcome,
  Gone,
  PermanentFailure,
  Refused,
  ResponseFacts,
  RetryableFailure,
} from './delivery-outcome.ts';
export { classifyResponse, RETRYABLE_CLIENT_STATUSES } from './delivery-outcome.ts';
export type { BuildResult, BuildRule, DeliveryInput, DeliveryRequest } from './delivery-request.ts';
export { buildDeliveryRequest, DEFAULT_FORMAT, traceparentOf, USER_AGENT } from './delivery-request.ts';
export type { AttemptReport, ExecutorOptions } from './executor.ts';
export { Executor } from './executor.ts';
export { type GuardedFetchOptions, guardedFetch } from './guarded-fetch.ts';
export type { LookupDecision, Resolver } from './guarded-lookup.ts';
export { guardedLookup, resolveChecked, systemResolver, TargetRefusedError } from './guarded-lookup.ts';
export type { HttpActionRunnerOptions } from './http-action-runner.ts';
export { HttpActionRunner } from './http-action-runner.ts';
export type { HttpDelivererOptions, SendOptions } from './http-deliverer.ts';
export { HttpDeliverer, MAX_RESPONSE_BYTES } from './http-deliverer.ts';
export type { IpAddress } from './ip-address.ts';
export { formatIp, parseIp, parseIpv4, parseIpv6 } from './ip-address.ts';
export type { JobFailure } from './job-dead-letter.ts';
export { jobDeadLetter } from './job-dead-letter.ts';
export type { ReceiptFacts } from './job-receipts.ts';
export { isOwnReceipt, receiptsOf } from './job-receipts.ts';
export type { Operator, OperatorContext, OperatorSpec } from './operators/define-operator.ts';
export { defineOperator, OPERATOR_NAME_PATTERN } from './operators/define-operator.ts';
export type {
  EmitFollowUps,
  EmitOutcome,
  FollowUpCause,
  FollowUpTarget,
} from './operators/follow-ups.ts';
export { causeOf, stampFollowUps } from './operators/follow-ups.ts';
export type {
  HandlerActionRunnerOptions,
  HandlerResult,
  PlanActionRecord,
  PlanRunners,
} from './operators/handler-action-runner.ts';
export { HandlerActionRunner } from './operators/handler-action-runner.ts';
export { OperatorRegistry } from './operators/operator-registry.ts';
export type { Plan, PlanAction, PlanCheck, PlanProblem } from './operators/plan.ts';
export { checkPlan, MAX_PLAN_ACTIONS } from './operators/plan.ts';
export type { KindPatternProblem, PlanPolicy } from './operators/plan-policy.ts';
export {
  actionKind,
  checkKindPatterns,
  isKindPattern,
  kindAllowed,
  MAX_KIND_PATTERNS,
} from './operators/plan-policy.ts';
export { type DryRunResult, PolicedRunner } from './operators/policed-runner.ts';
export type { RetryProblem, RetryRule, RetrySettings, RetryValidation } from './retry-policy.ts';
export {
  DEFAULT_RETRY,
  parseRetryAfter,
  RETRY_LIMITS,
  retryDelay,
  retrySettings,
  validateRetry,
} from './retry-policy.ts';
export type { JobRun, RunJobDeps } from './run-job.ts';
export { CIRCUIT_OPEN, runJob, TARGET_BUSY } from './run-job.ts';
export type { GuardOptions, TargetAccepted, TargetCheck, TargetRefusal, TargetRule } from './target-guard.ts';
export { checkAddress, checkTargetUrl, MAX_TARGET_URL_LENGTH } from './target-guard.ts';
export { busyDelayMs, TargetSlots } from './target-slots.ts';
