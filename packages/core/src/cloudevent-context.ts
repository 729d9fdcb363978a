/** An extension attribute's value in its JSON form: String (URIs, timestamps… too), Integer, Boolean. */
export type CloudEventExtensionValue = string | number | boolean;

/**
 * The context attributes of a CloudEvent that came in, as the sender set them: kept with the envelope
 * so that conditions see them and a CloudEvents delivery gives them back unchanged. `time` is the
 * sender's text, not the normalized `occurred_at`. Unset attributes are absent, never null.
 */
export interface CloudEventContext {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string;
  readonly time?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  /** Every other attribute of the event, by its lowercase `a-z0-9` name. */
  readonly extensions: Readonly<Record<string, CloudEventExtensionValue>>;
}

/** The attributes that are not extensions: the CloudEvents core attributes and the data members. */
export const CLOUDEVENT_CORE_ATTRIBUTES = [
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
  'data',
  'data_base64',
] as const;

/** The longest context kept with an envelope, as JSON bytes (ids, sources and extensions together). */
export const CLOUDEVENT_CONTEXT_MAX_BYTES = 16_384;
