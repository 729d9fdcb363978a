export { businessHoursProblem, insideBusinessHours, nextOpening } from './poll/business-hours.ts';
export { canonicalRecord, recordHash } from './poll/canonical-record.ts';
export { dueSlots } from './poll/cron-slots.ts';
export { CronTicker, type CronTickerOptions } from './poll/cron-ticker.ts';
export { humanMs, LEARN_AFTER_POLLS, type NextRun, nextRun, type RunFinding } from './poll/next-run.ts';
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
  streamConfigOf,
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
