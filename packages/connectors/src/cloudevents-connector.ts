import type { Connector, Emission, MapInput, VerificationConfig } from '@sluice/core';
import { cloudEventToEmission, validateCloudEvent } from '@sluice/core/codecs';
import { defineConnector } from '@sluice/map';

/** Options of a CloudEvents source. */
export interface CloudEventsSourceOptions {
  /** The connector id, also the emissions' `source`. */
  readonly id: string;
  /** The CloudEvents `type`s the sender posts, dotted `noun.verb`. */
  readonly events: ReadonlyArray<string>;
  /** How deliveries are signed; CloudEvents itself signs nothing. Default: HMAC-SHA256 with a timestamp. */
  readonly verify?: VerificationConfig;
  readonly description?: string;
  readonly version?: string;
}

/**
 * The default signature of a CloudEvents source: `x-signature: sha256=<hex HMAC-SHA256(secret, "{ts}.{body}")>`
 * with the Unix time in `x-signature-timestamp` (tolerance 300 s).
 */
export const CLOUDEVENTS_DEFAULT_VERIFY: VerificationConfig = {
  scheme: 'hmac-sha256',
  header: 'x-signature',
  prefix: 'sha256=',
  encoding: 'hex',
  timestampHeader: 'x-signature-timestamp',
};

/** The catalog of the shipped `cloudevents` example connector. */
export const CLOUDEVENTS_EXAMPLE_EVENT_TYPES = [
  'order.created',
  'order.updated',
  'shipment.dispatched',
  'sensor.reading',
] as const;

/**
 * A CloudEvent sent as plain `application/json` (structured content under the generic media type). The
 * CloudEvents media types and binary mode never reach this: the receiver decodes them itself.
 */
function mapPlainCloudEvent(id: string): (input: MapInput) => Emission {
  return (input) => {
    const checked = validateCloudEvent(input.body);
    if (!checked.ok) throw new Error(`${id}: the body is not a CloudEvent: ${checked.error.message}`);
    return cloudEventToEmission(checked.value, { source: id });
  };
}

/**
 * Makes a connector for a sender of CloudEvents 1.0 over HTTP, in binary, structured or batch mode: each
 * event becomes one emission of its `type` (which must be declared), deduped on `source` + `id` (unique
 * per the CloudEvents spec), about `data.entity` when the data names one.
 */
export function cloudEventsConnector(options: CloudEventsSourceOptions): Connector {
  return defineConnector({
    id: options.id,
    version: options.version ?? '1.0.0',
    description: options.description ?? `CloudEvents from "${options.id}".`,
    streams: [{ key: 'events', mode: 'webhook', events: options.events }],
    webhook: { verify: options.verify ?? CLOUDEVENTS_DEFAULT_VERIFY, cloudevents: true },
    map: mapPlainCloudEvent(options.id),
  });
}

/** A generic CloudEvents source with an orders, shipments and sensor readings catalog. */
export const cloudEventsExampleConnector = cloudEventsConnector({
  id: 'cloudevents',
  events: CLOUDEVENTS_EXAMPLE_EVENT_TYPES,
  description: 'Any CloudEvents 1.0 sender over HTTP (binary, structured or batch), HMAC-signed.',
});
