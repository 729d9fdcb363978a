import { compile, matches } from '@sluice/cesql';
import { cloudEventAttributes } from '@sluice/core/codecs';
import type { SqlHook } from './sql-hook.ts';

/**
 * The CloudEvents SQL engine as the router's {@link SqlHook}: the text is compiled once, then evaluated
 * over the envelope's CloudEvents attributes (`cloudEventAttributes`: the original CloudEvent's `id`,
 * `source`, `subject`, `time` and extensions when it came in as one, and the tenant, connection and
 * entity key as extensions). A match is exactly `true` with no evaluation error.
 */
export const cesqlHook: SqlHook = (text) => {
  const compiled = compile(text);
  if (!compiled.ok) {
    const { message, position } = compiled.error;
    return { ok: false, problem: { message: `${message} (at position ${position})` } };
  }
  return { ok: true, matches: (envelope) => matches(compiled.compiled, cloudEventAttributes(envelope)) };
};
