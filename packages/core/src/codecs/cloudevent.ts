import { SluiceError } from '../errors.ts';

/** The only CloudEvents version Sluice reads and writes. */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** Structured-mode media type (JSON event format). */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

/** Batched-mode media type (JSON batch format). */
export const CLOUDEVENTS_BATCH_JSON = 'application/cloudevents-batch+json';

/** A context attribute value in its JSON form: String, URI, Timestamp… are strings; Integer; Boolean. */
export type CloudEventAttributeValue = string | number | boolean;

/**
 * A CloudEvents 1.0 event in the JSON event format: the context attributes as top-level members,
 * extensions included, with `data` (a JSON value) or `data_base64` (binary), never both.
 * Unset attributes are absent, never null.
 */
export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  readonly subject?: string;
  readonly time?: string;
  readonly data?: unknown;
  readonly data_base64?: string;
  /** Extension attributes: lowercase `a-z0-9` names. */
  readonly [attribute: string]: unknown;
}

/** An expected outcome: the value, or the error that says what is wrong with the input. */
export type CodecResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: SluiceError };

/** The media type of a Content-Type value, lowercased and stripped of parameters. */
export function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** True for `type/json` and `type/subtype+json` media types: the data is a JSON value, not text or bytes. */
export function isJsonContentType(contentType: string): boolean {
  return /^[^/\s]+\/([^/\s]+\+)?json$/.test(mediaTypeOf(contentType));
}

/** Build the `invalid_cloudevent` error, naming the attribute at fault. */
export function invalidCloudEvent(problem: string, attribute: string, index?: number): SluiceError {
  const where = index === undefined ? '' : ` at index ${index}`;
  return new SluiceError('invalid_cloudevent', `Invalid CloudEvent${where}: ${problem}.`, {
    details: index === undefined ? { attribute } : { attribute, index },
  });
}
