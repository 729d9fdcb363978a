import { Buffer } from 'node:buffer';
import type { DeliveryFormat, Envelope } from '@sluice/core';
import {
  encodeStructured,
  envelopesToDeviceBatch,
  envelopeToCloudEvent,
  toIntegrationEvent,
} from '@sluice/core/codecs';

/** A delivery's body and the content type that describes it. */
export interface DeliveryBody {
  readonly contentType: string;
  readonly body: Buffer;
}

const JSON_TYPE = 'application/json';

function json(value: unknown): DeliveryBody {
  return { contentType: JSON_TYPE, body: Buffer.from(JSON.stringify(value), 'utf8') };
}

/**
 * The body of one envelope in a delivery format, through the core codecs: `envelope` (the envelope as
 * stored), `cloudevents` (a structured-mode CloudEvent, `application/cloudevents+json`),
 * `integration-event` (the camelCase shape) or `device-batch` (a batch of this one envelope: the batch's
 * `event_id` is the envelope's, `provider` its source, `emitted_at` the send time). Null for a format this
 * build does not know (a stored action may name anything).
 */
export function deliveryBody(envelope: Envelope, format: DeliveryFormat, nowMs: number): DeliveryBody | null {
  switch (format) {
    case 'envelope':
      return json(envelope);
    case 'cloudevents': {
      const message = encodeStructured(envelopeToCloudEvent(envelope));
      return { contentType: message.headers['content-type'] ?? JSON_TYPE, body: message.body };
    }
    case 'integration-event':
      return json(toIntegrationEvent(envelope));
    case 'device-batch':
      return json(
        envelopesToDeviceBatch([envelope], {
          event_id: envelope.event_id,
          provider: envelope.source,
          emitted_at: nowMs,
        }),
      );
    default:
      return null;
  }
}
