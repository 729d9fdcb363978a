export { type DeadLetterWriterDeps, writeDeadLetter } from './dead-letter-writer.ts';
export { type Backoff, backoffDelay, DEFAULT_BACKOFF } from './mqtt/backoff.ts';
export { brokerTargetRefusal, isPrivateAddress } from './mqtt/broker-target.ts';
export { type GatewayLog, MqttGateway, type MqttGatewayDeps } from './mqtt/mqtt-gateway.ts';
export { type MessageOutcome, messageDelivery, sinkMessage } from './mqtt/mqtt-message-sink.ts';
export { MqttSession, type MqttSessionOptions } from './mqtt/mqtt-session.ts';
export { isTopicFilter, type MqttSessionConfig, sessionConfigOf } from './mqtt/mqtt-session-config.ts';
export { businessHoursProblem, insideBusinessHours, nextOpening } from './poll/business-hours.ts';
export { canonicalRecord, recordHash } from './poll/canonical-record.ts';
export { dueSlots } from './poll/cron-slots.ts';
export { CronTicker, type CronTickerOptions } from './poll/cron-ticker.ts';
export {
  humanMs,
  LEARN_AFTER_POLLS,
  type NextRun,
  nextRun,
  type RunFinding,
  rezonedRun,
} from './poll/next-run.ts';
export {
  PollPass,
  type PollPassDeps,
  type PollPassProgress,
  type PollPassRequest,
  type PollPassResult,
} from './poll/poll-pass.ts';
export { DEFAULT_HASH_TTL_MS } from './poll/record-changes.ts';
export { type FieldChange, recordDiff } from './poll/record-diff.ts';
export {
  completionOf,
  Scheduler,
  type SchedulerOptions,
  type StreamStatusChange,
} from './poll/scheduler.ts';
export {
  changesOf,
  type PollPassRunnerDeps,
  pollPassRunner,
  type StreamRunner,
} from './poll/stream-runner.ts';
export {
  durationMs,
  pollStreamSchedules,
  type StreamConfig,
  type StreamConfigProblem,
  type StreamConfigRule,
  streamConfigOf,
  streamsConfigProblems,
} from './poll/stream-schedules.ts';
export { cronCadenceMs, cronOf, cronProblem, hourOfWeek } from './poll/zoned-time.ts';
export { deadLetterRecord } from './webhook/dead-letter-record.ts';
export { carriesCloudEvents, type Delivery, mediaTypeRefusal, parseJsonExact } from './webhook/delivery.ts';
export { type DeliveryEmissions, emissionsOf } from './webhook/delivery-emissions.ts';
export {
  type ReceiveOutcome,
  type Refusal,
  type RefusalCode,
  refused,
} from './webhook/receive-outcome.ts';
export { ingestFailure, WebhookReceiver, type WebhookReceiverDeps } from './webhook/webhook-receiver.ts';
