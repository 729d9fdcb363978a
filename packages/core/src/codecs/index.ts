/** The codecs: the envelope projected to CloudEvents, the integration-event shape and device batches, and back. */
export type {
  CloudEvent,
  CloudEventAttributeValue,
  CodecResult,
} from './cloudevent.ts';
export {
  CLOUDEVENTS_BATCH_JSON,
  CLOUDEVENTS_JSON,
  CLOUDEVENTS_SPEC_VERSION,
  isJsonContentType,
  mediaTypeOf,
} from './cloudevent.ts';
export type { CloudEventAttributes } from './cloudevent-attributes.ts';
export {
  cloudEventAttributes,
  cloudEventSource,
  ENTITY_KEY_EXTENSION,
  ENVELOPE_EXTENSIONS,
  EVENT_ID_EXTENSION,
  RESERVED_EXTENSIONS,
} from './cloudevent-attributes.ts';
export { cloudEventContextOf, validateCloudEventContext } from './cloudevent-context-codec.ts';
export { validateCloudEvent } from './cloudevent-validator.ts';
export { cloudEventToEmission, cloudEventToEnvelope, envelopeToCloudEvent } from './cloudevents.ts';
export type {
  CloudEventsHttpMode,
  DecodedCloudEvents,
  HttpHeaders,
  HttpMessage,
} from './cloudevents-http.ts';
export { decodeHttp, encodeBatch, encodeBinary, encodeStructured } from './cloudevents-http.ts';
export type { DeviceBatchInboundOptions, DeviceBatchMeta } from './device-batch.ts';
export {
  DEVICE_ITEM_ID_FIELDS,
  DEVICE_ITEM_TIME_FIELDS,
  deviceBatchToEmissions,
  envelopesToDeviceBatch,
} from './device-batch.ts';
export type {
  DeviceBatch,
  DeviceBatchSource,
  DeviceDataItem,
  DeviceRecord,
} from './device-batch-schema.ts';
export { DEVICE_BATCH_SCHEMA_VERSION, DeviceBatchSchema } from './device-batch-schema.ts';
export { decodeHeaderValue, encodeHeaderValue } from './header-value-encoding.ts';
export type { IntegrationAttributes, IntegrationEvent } from './integration-event.ts';
export {
  attributesOf,
  fromIntegrationEvent,
  INTEGRATION_ATTRIBUTE_NAMES,
  toIntegrationEvent,
} from './integration-event.ts';
