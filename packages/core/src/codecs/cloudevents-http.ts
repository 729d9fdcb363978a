import { Buffer } from 'node:buffer';
import { SluiceError } from '../errors.ts';
import {
  CLOUDEVENTS_BATCH_JSON,
  CLOUDEVENTS_JSON,
  type CloudEvent,
  type CodecResult,
  invalidCloudEvent,
  isJsonContentType,
  mediaTypeOf,
} from './cloudevent.ts';
import { validateCloudEvent } from './cloudevent-validator.ts';
import { decodeHeaderValue, encodeHeaderValue } from './header-value-encoding.ts';

/** Request or response headers as Node and Fastify hand them over; names in any case. */
export type HttpHeaders = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>;

/** An HTTP message body with the headers that describe it. */
export interface HttpMessage {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** The CloudEvents HTTP content modes (binding §1.3). */
export type CloudEventsHttpMode = 'binary' | 'structured' | 'batch';

/** What {@link decodeHttp} found: the mode and the events, in body order. */
export interface DecodedCloudEvents {
  readonly mode: CloudEventsHttpMode;
  readonly events: ReadonlyArray<CloudEvent>;
}

const HEADER_PREFIX = 'ce-';

/**
 * Binary content mode: every attribute but `datacontenttype` as a percent-encoded `ce-` header,
 * `datacontenttype` as Content-Type (the implied `application/json` when `data` is present and it
 * is unset), and the data bytes as the body. Throws `invalid_cloudevent` for data the declared
 * content type cannot carry.
 */
export function encodeBinary(event: CloudEvent): HttpMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event)) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype' || value === undefined)
      continue;
    headers[`${HEADER_PREFIX}${name}`] = encodeHeaderValue(String(value));
  }
  let contentType = event.datacontenttype;
  let body = Buffer.alloc(0);
  if (event.data_base64 !== undefined) {
    body = Buffer.from(event.data_base64, 'base64');
  } else if ('data' in event) {
    contentType ??= 'application/json';
    if (isJsonContentType(contentType)) {
      body = Buffer.from(JSON.stringify(event.data), 'utf8');
    } else if (typeof event.data === 'string') {
      body = Buffer.from(event.data, 'utf8');
    } else {
      throw invalidCloudEvent(`'data' for content type ${contentType} must be a string`, 'data');
    }
  }
  if (contentType !== undefined) headers['content-type'] = contentType;
  return { headers, body };
}

/** Structured content mode: the event in the JSON event format. */
export function encodeStructured(event: CloudEvent): HttpMessage {
  return {
    headers: { 'content-type': `${CLOUDEVENTS_JSON}; charset=utf-8` },
    body: Buffer.from(JSON.stringify(event), 'utf8'),
  };
}

/** Batched content mode: the events as a JSON array. */
export function encodeBatch(events: ReadonlyArray<CloudEvent>): HttpMessage {
  return {
    headers: { 'content-type': `${CLOUDEVENTS_BATCH_JSON}; charset=utf-8` },
    body: Buffer.from(JSON.stringify(events), 'utf8'),
  };
}

/**
 * Decode an HTTP message carrying CloudEvents. The mode follows the Content-Type (binding §3):
 * `application/cloudevents-batch+json` is batch, `application/cloudevents+json` structured, and a
 * message with a `ce-specversion` header is binary. Every event is validated; bad input is a
 * result (`invalid_cloudevent`, `invalid_json`, `unsupported_media_type`), never a throw.
 */
export function decodeHttp(headers: HttpHeaders, rawBody: Buffer): CodecResult<DecodedCloudEvents> {
  const normalized = normalizeHeaders(headers);
  const contentType = normalized['content-type'];
  const media = contentType === undefined ? '' : mediaTypeOf(contentType);
  const isBinary = normalized['ce-specversion'] !== undefined;

  if (media.startsWith('application/cloudevents-batch')) {
    if (media !== CLOUDEVENTS_BATCH_JSON) return unsupported(media);
    return decodeBatch(rawBody);
  }
  if (media.startsWith('application/cloudevents')) {
    if (media === CLOUDEVENTS_JSON) return decodeStructured(rawBody);
    // Another event format: the binding lets a receiver treat the message as binary instead.
    if (!isBinary) return unsupported(media);
  }
  if (isBinary) return decodeBinary(normalized, rawBody);
  const error = invalidCloudEvent(
    `no ce-specversion header, and Content-Type ${JSON.stringify(contentType ?? '')} is not a CloudEvents media type`,
    'specversion',
  );
  return { ok: false, error };
}

function decodeStructured(rawBody: Buffer): CodecResult<DecodedCloudEvents> {
  const parsed = parseJson(rawBody);
  if (!parsed.ok) return parsed;
  const checked = validateCloudEvent(parsed.value);
  if (!checked.ok) return checked;
  return { ok: true, value: { mode: 'structured', events: [checked.value] } };
}

function decodeBatch(rawBody: Buffer): CodecResult<DecodedCloudEvents> {
  const parsed = parseJson(rawBody);
  if (!parsed.ok) return parsed;
  if (!Array.isArray(parsed.value)) {
    return { ok: false, error: invalidCloudEvent('a batch must be a JSON array of events', '') };
  }
  const events: CloudEvent[] = [];
  for (const [index, element] of parsed.value.entries()) {
    const checked = validateCloudEvent(element, index);
    if (!checked.ok) return checked;
    events.push(checked.value);
  }
  return { ok: true, value: { mode: 'batch', events } };
}

function decodeBinary(headers: Record<string, string>, rawBody: Buffer): CodecResult<DecodedCloudEvents> {
  const attributes: Record<string, unknown> = {};
  for (const [header, raw] of Object.entries(headers)) {
    if (!header.startsWith(HEADER_PREFIX)) continue;
    const name = header.slice(HEADER_PREFIX.length);
    if (name === 'data') {
      return { ok: false, error: invalidCloudEvent("'data' is reserved and cannot be a header", 'data') };
    }
    const value = decodeHeaderValue(raw);
    if (value === null) {
      const problem = `header ${header} is not a valid percent-encoded UTF-8 value`;
      return { ok: false, error: invalidCloudEvent(problem, name) };
    }
    attributes[name] = value;
  }
  // Content-Type carries datacontenttype in binary mode; a stray ce-datacontenttype only fills a gap.
  const contentType = headers['content-type'] ?? attributes['datacontenttype'];
  delete attributes['datacontenttype'];
  if (typeof contentType === 'string') attributes['datacontenttype'] = contentType;

  if (rawBody.length > 0) {
    if (typeof contentType === 'string' && isJsonContentType(contentType)) {
      const parsed = parseJson(rawBody);
      if (!parsed.ok) return parsed;
      attributes['data'] = parsed.value;
    } else if (typeof contentType === 'string' && mediaTypeOf(contentType).startsWith('text/')) {
      attributes['data'] = rawBody.toString('utf8');
    } else {
      attributes['data_base64'] = rawBody.toString('base64');
    }
  }
  const checked = validateCloudEvent(attributes);
  if (!checked.ok) return checked;
  return { ok: true, value: { mode: 'binary', events: [checked.value] } };
}

function normalizeHeaders(headers: HttpHeaders): Record<string, string> {
  const normalized: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    normalized[name.toLowerCase()] = typeof value === 'string' ? value : value.join(', ');
  }
  return normalized;
}

function parseJson(rawBody: Buffer): CodecResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(rawBody.toString('utf8')) };
  } catch (cause) {
    const message = `Body is not valid JSON: ${(cause as Error).message}.`;
    return { ok: false, error: new SluiceError('invalid_json', message) };
  }
}

function unsupported(media: string): CodecResult<never> {
  const message = `CloudEvents format ${media} is not supported; send ${CLOUDEVENTS_JSON} or ${CLOUDEVENTS_BATCH_JSON}.`;
  return { ok: false, error: new SluiceError('unsupported_media_type', message) };
}
