import { compile, matches } from '@sluice/cesql';
import type { Envelope } from '@sluice/core';
import { envelopeToCloudEvent } from '@sluice/core/codecs';
import type { SqlHook } from '@sluice/route';

/**
 * `{sql}` trigger conditions in CloudEvents SQL: compiled once per trigger, evaluated over the envelope's
 * CloudEvents attributes (`id`, `source`, `type`, `subject` = the entity key, `time`, and the envelope's
 * extension attributes such as `tenantid` and `correlationid`). The payload is data, which CESQL does not
 * read; conditions on it use the JSON or text form.
 */
export const cesqlHook: SqlHook = (text) => {
  const compiled = compile(text);
  if (!compiled.ok) return { ok: false, problem: { message: compiled.error.message } };
  const expression = compiled.compiled;
  return { ok: true, matches: (envelope: Envelope) => matches(expression, attributesOf(envelope)) };
};

function attributesOf(envelope: Envelope): Record<string, unknown> {
  const { data: _data, ...attributes } = envelopeToCloudEvent(envelope);
  return attributes;
}
