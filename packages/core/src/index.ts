export { busMessageOf } from './bus/bus-message.ts';
export { InProcessBus } from './bus/in-process-bus.ts';
export { InProcessChangeFeed } from './changes/in-process-change-feed.ts';
export type { CloudEventContext, CloudEventExtensionValue } from './cloudevent-context.ts';
export { CLOUDEVENT_CONTEXT_MAX_BYTES } from './cloudevent-context.ts';
export type {
  Condition,
  ConditionAll,
  ConditionAny,
  ConditionLeaf,
  ConditionNot,
  ConditionOp,
  ConditionScalar,
  ConditionSql,
} from './condition.ts';
export { CONDITION_OPS } from './condition.ts';
export type {
  ChangeDetection,
  Connector,
  ConnectorSpec,
  EventStreamDeclaration,
  HandshakeAnswer,
  HandshakeHandler,
  MapInput,
  PollContext,
  PollHandler,
  PollPage,
  PollRequest,
  ProbeContext,
  ProbeResult,
  StreamDeclaration,
  StreamMode,
} from './connector.ts';
export { MQTT_TOPIC_HEADER, RateLimitedError, rateLimitedFrom } from './connector.ts';
export type {
  ApiAuth,
  ApiClient,
  ApiDeclaration,
  ApiMethod,
  ApiRequest,
  ApiResponse,
  ConnectorActionContext,
  ConnectorActionSpec,
} from './connector-action.ts';
export {
  CRON_CONNECTOR_ID,
  CRON_STREAM,
  CRON_TICK_EVENT_TYPE,
  type CronTick,
  cronTickEmission,
} from './cron-source.ts';
export type {
  DeadLetter,
  DeadLetterDepth,
  DeadLetterFilter,
  DeadLetterKind,
  DeadLetterPolicy,
  DeadLetterStatus,
} from './dead-letter.ts';
export { DEAD_LETTER_KINDS } from './dead-letter.ts';
export type { Emission } from './emission.ts';
export { entityKey, entityOf } from './entity-key.ts';
export type { EntityRef, Envelope, EnvelopeMode } from './envelope.ts';
export { ENVELOPE_FIELDS, SCHEMA_VERSION } from './envelope.ts';
export type { JsonSchemaDocument } from './envelope-schema.ts';
export {
  CloudEventContextSchema,
  EmissionSchema,
  EnvelopeSchema,
  envelopeJsonSchema,
  TIMESTAMP_PATTERN,
} from './envelope-schema.ts';
export type { ErrorBody, ErrorCode } from './errors.ts';
export { ERROR_CODES, isSluiceError, SluiceError } from './errors.ts';
export {
  checkIdempotencyTemplate,
  DEFAULT_IDEMPOTENCY_TEMPLATE,
} from './idempotency-key.ts';
export type { IdKind } from './ids.ts';
export {
  isEventId,
  isUuid,
  newEventId,
  newId,
  newTraceId,
  randomHex,
  traceIdFromTraceparent,
} from './ids.ts';
export type { Job, JobAttempt, JobStatus } from './job.ts';
export { JOB_STATUSES } from './job.ts';
export { lazyModule } from './lazy-module.ts';
export {
  isEventType,
  isSourceId,
  isStreamKey,
} from './naming.ts';
export { PLATFORM_EVENT_TOPICS } from './platform-event-topics.ts';
export type { PlatformEventInput, PlatformEventType } from './platform-events.ts';
export {
  PLATFORM_CONNECTOR_ID,
  PLATFORM_EVENT_TYPES,
  PLATFORM_STREAM,
  platformDedupeKey,
  platformEmission,
  SYSTEM_TENANT_ID,
} from './platform-events.ts';
export type { Backfill, BackfillCounts, BackfillStore, NewBackfill } from './ports/backfill-port.ts';
export {
  BUS_TOPICS,
  type Bus,
  type BusAttributes,
  type BusBatch,
  type BusMessage,
  type BusTopic,
  type ConsumeOptions,
  type Consumer,
  type DeliveredMessage,
} from './ports/bus-port.ts';
export type { Change, ChangeFeed, ChangeListener } from './ports/change-feed-port.ts';
export type { ConnectionChanges, ConnectionStore, NewConnection } from './ports/connection-port.ts';
export type { DeadLetterPolicyStore, NewDeadLetterPolicy } from './ports/dead-letter-policy-port.ts';
export type { DeadLetterStore, JobReplay, NewDeadLetter } from './ports/dead-letter-port.ts';
export type {
  AppendInput,
  AppendOutcome,
  AppendResult,
  EnvelopeFilter,
  EventLog,
  Page,
  PageRequest,
  Position,
  PositionPage,
  PreparedEnvelope,
  StoredRecordHash,
  StreamCursorWrite,
} from './ports/event-log-port.ts';
export type { IngestMinute, IngestStats } from './ports/ingest-stats-port.ts';
export type { JobFilter, JobStore, NewJob } from './ports/job-port.ts';
export type {
  ClaimedJob,
  JobClaimRequest,
  JobFinish,
  JobOutcome,
  JobQueue,
  QueueDepth,
  RememberedResult,
} from './ports/job-queue-port.ts';
export type { StoreMaintenance, SweepResult } from './ports/maintenance-port.ts';
export type { ClaimedEntry, Outbox, OutboxClaim, OutboxEntry } from './ports/outbox-port.ts';
export {
  type ChangeHistory,
  type CronSchedule,
  type CronScheduleStore,
  type NewCronSchedule,
  type NewStreamSchedule,
  type ScheduleStore,
  STREAM_STATUSES,
  type StreamRef,
  type StreamRunCompletion,
  type StreamSchedule,
  type StreamScheduleFilter,
  type StreamScheduleSettings,
  type StreamStatus,
} from './ports/schedule-port.ts';
export type { Stores } from './ports/stores.ts';
export type { TenancyStore, TenantChanges } from './ports/tenancy-port.ts';
export type { NewTrigger, TriggerChanges, TriggerStore } from './ports/trigger-port.ts';
export type {
  ApiKeyRecord,
  Connection,
  ConnectionSecret,
  ConnectionStatus,
  RateLimit,
  Tenant,
  UnmatchedEvents,
  Workspace,
} from './tenancy.ts';
export { activeTraceId, contextOfTraceparent, traceparentOfSpan, tracer } from './tracing.ts';
export type {
  ConnectorAction,
  DeliveryFormat,
  HandlerAction,
  HttpAction,
  Origin,
  Priority,
  RetryPolicy,
  SingleFlightMode,
  Trigger,
  TriggerAction,
  TriggerCondition,
} from './trigger.ts';
export {
  ACTION_TYPES,
  DELIVERY_FORMATS,
  ORIGIN_PRIORITY,
  ORIGINS,
  PRIORITIES,
  SINGLE_FLIGHT_MODES,
} from './trigger.ts';
export type { VerificationConfig, VerificationScheme } from './verification.ts';
export { DEFAULT_TOLERANCE_SECONDS, isVerificationScheme, VERIFICATION_SCHEMES } from './verification.ts';
