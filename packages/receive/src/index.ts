export { type DeadLetterWriterDeps, writeDeadLetter } from './dead-letter-writer.ts';
export { type Backoff, backoffDelay, DEFAULT_BACKOFF } from './mqtt/backoff.ts';
export { brokerTargetRefusal, isPrivateAddress } from './mqtt/broker-target.ts';
export { type GatewayLog, MqttGateway, type MqttGatewayDeps } from './mqtt/mqtt-gateway.ts';
export { type MessageOutcome, messageDelivery, sinkMessage } from './mqtt/mqtt-message-sink.ts';
export { MqttSession, type MqttSessionOptions } from './mqtt/mqtt-session.ts';
export { isTopicFilter, type MqttSessionConfig, sessionConfigOf } from './mqtt/mqtt-session-config.ts';
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
