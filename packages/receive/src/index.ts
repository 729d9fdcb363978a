export { deadLetterRecord } from './webhook/dead-letter-record.ts';
export { carriesCloudEvents, checkMediaType, type Delivery, parseJsonExact } from './webhook/delivery.ts';
export { emissionsOf } from './webhook/delivery-emissions.ts';
export { MAPPING_FAULT_CODES, MappingFault } from './webhook/mapping-fault.ts';
export {
  type ReceiveOutcome,
  WebhookReceiver,
  type WebhookReceiverDeps,
} from './webhook/webhook-receiver.ts';
