import { TIMESTAMP_PATTERN } from '../envelope-schema.ts';
import {
  CLOUDEVENTS_SPEC_VERSION,
  type CloudEvent,
  type CodecResult,
  invalidCloudEvent,
} from './cloudevent.ts';

const ATTRIBUTE_NAME = /^[a-z0-9]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const REQUIRED = ['id', 'source', 'type'] as const;
const OPTIONAL_STRINGS = ['datacontenttype', 'dataschema', 'subject'] as const;
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * Check a decoded JSON value against the CloudEvents 1.0 rules and return it as a {@link CloudEvent}:
 * `specversion` "1.0"; `id`, `source`, `type` non-empty strings; `time` RFC 3339; extension names
 * lowercase `a-z0-9` with String, Integer or Boolean values; `data` and `data_base64` exclusive.
 * Null (and undefined) attributes mean unset (JSON format §2.2) and are dropped; `data: null` is kept.
 * `index` names the element of a batch in the error.
 */
export function validateCloudEvent(value: unknown, index?: number): CodecResult<CloudEvent> {
  const fail = (problem: string, attribute: string): CodecResult<CloudEvent> => ({
    ok: false,
    error: invalidCloudEvent(problem, attribute, index),
  });
  if (!isRecord(value)) return fail('an event must be a JSON object', '');

  const event: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(value)) {
    if (attribute === undefined || (attribute === null && name !== 'data')) continue;
    event[name] = attribute;
  }

  const specversion = event['specversion'];
  if (specversion === undefined) return fail("missing required attribute 'specversion'", 'specversion');
  if (specversion !== CLOUDEVENTS_SPEC_VERSION) {
    return fail(
      `unsupported specversion ${JSON.stringify(specversion)}, only "1.0" is accepted`,
      'specversion',
    );
  }
  for (const name of REQUIRED) {
    const attribute = event[name];
    if (attribute === undefined) return fail(`missing required attribute '${name}'`, name);
    if (!isNonEmptyString(attribute)) return fail(`attribute '${name}' must be a non-empty string`, name);
  }
  for (const name of OPTIONAL_STRINGS) {
    const attribute = event[name];
    if (attribute !== undefined && !isNonEmptyString(attribute)) {
      return fail(`attribute '${name}' must be a non-empty string when present`, name);
    }
  }
  const time = event['time'];
  if (time !== undefined && !(typeof time === 'string' && TIMESTAMP_PATTERN.test(time))) {
    return fail(`attribute 'time' must be an RFC 3339 timestamp, got ${JSON.stringify(time)}`, 'time');
  }
  const base64 = event['data_base64'];
  if (base64 !== undefined) {
    if ('data' in event) return fail("'data' and 'data_base64' are mutually exclusive", 'data_base64');
    if (typeof base64 !== 'string' || !BASE64.test(base64)) {
      return fail("'data_base64' must be a Base64 string", 'data_base64');
    }
  }

  for (const [name, attribute] of Object.entries(event)) {
    if (name === 'data' || name === 'data_base64') continue;
    if (!ATTRIBUTE_NAME.test(name)) {
      return fail(`attribute name ${JSON.stringify(name)} must consist of lowercase a-z and 0-9 only`, name);
    }
    const valid =
      typeof attribute === 'string' ||
      typeof attribute === 'boolean' ||
      (Number.isInteger(attribute) &&
        (attribute as number) >= INT32_MIN &&
        (attribute as number) <= INT32_MAX);
    if (!valid) return fail(`attribute '${name}' must be a string, a 32-bit integer or a boolean`, name);
  }
  return { ok: true, value: event as unknown as CloudEvent };
}
