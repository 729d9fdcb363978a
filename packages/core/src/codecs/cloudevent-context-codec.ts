import {
  CLOUDEVENT_CORE_ATTRIBUTES,
  type CloudEventContext,
  type CloudEventExtensionValue,
} from '../cloudevent-context.ts';
import { type CloudEvent, type CodecResult, invalidCloudEvent } from './cloudevent.ts';
import { validateCloudEvent } from './cloudevent-validator.ts';

const CORE = new Set<string>(CLOUDEVENT_CORE_ATTRIBUTES);
const OPTIONAL = ['subject', 'time', 'datacontenttype', 'dataschema'] as const;
const CONTEXT_MEMBERS = new Set<string>(['specversion', 'id', 'source', 'type', ...OPTIONAL, 'extensions']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The context attributes of a validated CloudEvent, as sent: the named attributes that are set, and
 * every other attribute but `data` and `data_base64` under `extensions`.
 */
export function cloudEventContextOf(event: CloudEvent): CloudEventContext {
  const extensions: Record<string, CloudEventExtensionValue> = {};
  for (const [name, value] of Object.entries(event)) {
    if (CORE.has(name) || value === undefined || value === null) continue;
    extensions[name] = value as CloudEventExtensionValue;
  }
  const context: Record<string, unknown> = {
    specversion: event.specversion,
    id: event.id,
    source: event.source,
    type: event.type,
  };
  for (const name of OPTIONAL) {
    if (event[name] !== undefined) context[name] = event[name];
  }
  context['extensions'] = extensions;
  return context as unknown as CloudEventContext;
}

/**
 * Check a value claiming to be a {@link CloudEventContext} (a connector's emission may carry one): the
 * members it may have, `extensions` an object whose names are not core attribute names, and the
 * CloudEvents rules {@link validateCloudEvent} applies to the attributes laid out flat. Null
 * attributes mean unset and are dropped from the value returned.
 */
export function validateCloudEventContext(value: unknown): CodecResult<CloudEventContext> {
  const fail = (problem: string, attribute: string): CodecResult<CloudEventContext> => ({
    ok: false,
    error: invalidCloudEvent(problem, attribute),
  });
  if (!isRecord(value)) return fail('the context must be a JSON object', '');
  for (const name of Object.keys(value)) {
    if (!CONTEXT_MEMBERS.has(name)) {
      return fail(`${JSON.stringify(name)} is not a context member; extensions go under 'extensions'`, name);
    }
  }
  const extensions = value['extensions'];
  if (!isRecord(extensions)) return fail("'extensions' must be a JSON object", 'extensions');
  for (const name of Object.keys(extensions)) {
    if (CORE.has(name)) return fail(`extension '${name}' is a core attribute name`, name);
  }
  const { extensions: _, ...named } = value;
  const checked = validateCloudEvent({ ...extensions, ...named });
  if (!checked.ok) return checked;
  return { ok: true, value: cloudEventContextOf(checked.value) };
}
