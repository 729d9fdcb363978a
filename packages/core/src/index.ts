export type {
  CloudEvent,
  CloudEventAttributeValue,
  CodecResult,
} from './codecs/cloudevent.ts';
export {
  CLOUDEVENTS_BATCH_JSON,
  CLOUDEVENTS_JSON,
  CLOUDEVENTS_SPEC_VERSION,
  isJsonContentType,
  mediaTypeOf,
} from './codecs/cloudevent.ts';
export { validateCloudEvent } from './codecs/cloudevent-validator.ts';
export {
  cloudEventSource,
  cloudEventToEmission,
  cloudEventToEnvelope,
  ENVELOPE_EXTENSIONS,
  envelopeToCloudEvent,
} from './codecs/cloudevents.ts';
export type {
  CloudEventsHttpMode,
  DecodedCloudEvents,
  HttpHeaders,
  HttpMessage,
} from './codecs/cloudevents-http.ts';
export { decodeHttp, encodeBatch, encodeBinary, encodeStructured } from './codecs/cloudevents-http.ts';
export type { DeviceBatchInboundOptions, DeviceBatchMeta } from './codecs/device-batch.ts';
export {
  DEVICE_ITEM_ID_FIELDS,
  DEVICE_ITEM_TIME_FIELDS,
  deviceBatchToEmissions,
  envelopesToDeviceBatch,
} from './codecs/device-batch.ts';
export type {
  DeviceBatch,
  DeviceBatchSource,
  DeviceDataItem,
  DeviceRecord,
} from './codecs/device-batch-schema.ts';
export { DEVICE_BATCH_SCHEMA_VERSION, DeviceBatchSchema } from './codecs/device-batch-schema.ts';
export { decodeHeaderValue, encodeHeaderValue } from './codecs/header-value-encoding.ts';
export type { IntegrationAttributes, IntegrationEvent } from './codecs/integration-event.ts';
export {
  attributesOf,
  fromIntegrationEvent,
  INTEGRATION_ATTRIBUTE_NAMES,
  toIntegrationEvent,
} from './codecs/integration-event.ts';
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
  Connector,
  ConnectorSpec,
  EventStreamDeclaration,
  MapInput,
  PollContext,
  PollHandler,
  PollPage,
  PollRequest,
  ProbeResult,
  StreamDeclaration,
  StreamMode,
} from './connector.ts';
export type { DeadLetter, DeadLetterStatus } from './dead-letter.ts';
export type { Emission } from './emission.ts';
export { entityKey, entityOf } from './entity-key.ts';
export type { EntityRef, Envelope, EnvelopeMode } from './envelope.ts';
export { ENVELOPE_FIELDS, SCHEMA_VERSION } from './envelope.ts';
export type { JsonSchemaDocument } from './envelope-schema.ts';
export {
  DEDUPE_KEY_MAX_LENGTH,
  EmissionSchema,
  EnvelopeSchema,
  emissionJsonSchema,
  envelopeJsonSchema,
  TIMESTAMP_PATTERN,
} from './envelope-schema.ts';
export type { ErrorBody, ErrorCode } from './errors.ts';
export { ERROR_CODES, isSluiceError, SluiceError } from './errors.ts';
export type { IdKind } from './ids.ts';
export {
  ID_PREFIXES,
  isEventId,
  isUuid,
  newEventId,
  newId,
  newTraceId,
  traceIdFromTraceparent,
} from './ids.ts';
export {
  EVENT_TYPE_PATTERN,
  isEventType,
  isSourceId,
  isStreamKey,
  SOURCE_PATTERN,
  STREAM_KEY_PATTERN,
} from './naming.ts';
export type {
  AppendInput,
  AppendOutcome,
  AppendResult,
  EnvelopeFilter,
  NewConnection,
  NewDeadLetter,
  OutboxEntry,
  Page,
  PageRequest,
  PreparedEnvelope,
  Store,
  SweepResult,
} from './store-port.ts';
export type {
  ApiKeyRecord,
  Connection,
  ConnectionSecret,
  ConnectionStatus,
  RateLimit,
  Tenant,
  Workspace,
} from './tenancy.ts';
export type { VerificationConfig, VerificationScheme } from './verification.ts';
export { DEFAULT_TOLERANCE_SECONDS, isVerificationScheme, VERIFICATION_SCHEMES } from './verification.ts';
