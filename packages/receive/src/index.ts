export { canonicalRecord, recordHash } from './poll/canonical-record.ts';
export {
  PollPass,
  type PollPassDeps,
  type PollPassProgress,
  type PollPassRequest,
  type PollPassResult,
} from './poll/poll-pass.ts';
export { DEFAULT_HASH_TTL_MS } from './poll/record-changes.ts';
export { type FieldChange, recordDiff } from './poll/record-diff.ts';
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
