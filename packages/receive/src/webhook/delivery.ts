import type { Connector } from '@sluice/core';
import { isJsonContentType, mediaTypeOf } from '@sluice/core/codecs';
import type { Refusal } from './receive-outcome.ts';

/** One inbound HTTP delivery: the raw bytes, as signed, and the headers (names lowercased). */
export interface Delivery {
  readonly rawBody: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

const CLOUDEVENT_MEDIA = new Set(['application/cloudevents+json', 'application/cloudevents-batch+json']);

function mediaOf(delivery: Delivery): string {
  const contentType = delivery.headers['content-type'];
  return contentType === undefined ? '' : mediaTypeOf(contentType);
}

/** What the connector cannot read (non-JSON bodies, CloudEvents where it declares none); null when it can. */
export function mediaTypeRefusal(connector: Connector, delivery: Delivery): Refusal | null {
  const media = mediaOf(delivery);
  if (CLOUDEVENT_MEDIA.has(media) && connector.webhook?.cloudevents !== true) {
    return {
      code: 'unsupported_media_type',
      message: `Connector "${connector.id}" does not accept CloudEvents (${media}).`,
    };
  }
  if (!isJsonContentType(media)) {
    const shown = JSON.stringify(delivery.headers['content-type'] ?? null);
    return {
      code: 'unsupported_media_type',
      message: `Content-Type ${shown} is not accepted; send application/json.`,
    };
  }
  return null;
}

/** True when the delivery carries CloudEvents (any content mode) for a connector that declares them. */
export function carriesCloudEvents(connector: Connector, delivery: Delivery): boolean {
  return (
    connector.webhook?.cloudevents === true &&
    (CLOUDEVENT_MEDIA.has(mediaOf(delivery)) || 'ce-specversion' in delivery.headers)
  );
}

const SIXTEEN_DIGITS = /\d{16}/;

/**
 * JSON.parse, except that an integer beyond 2^53 keeps its exact digits as a string: providers' ids
 * (Shopify orders, Twitter snowflakes) exceed what a double holds, and a rounded id would merge two
 * orders under one dedupe key.
 */
export function parseJsonExact(text: string): unknown {
  // An integer of 15 digits or fewer is always safe: without a run of 16 digits, no reviver is needed
  // (a reviver runs for every value and costs more than the parse itself).
  if (!SIXTEEN_DIGITS.test(text)) return JSON.parse(text);
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    context?.source !== undefined &&
    /^-?\d+$/.test(context.source)
      ? context.source
      : value,
  );
}
