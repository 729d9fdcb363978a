import type { Connector, Emission, MapInput } from '@sluice/core';

/**
 * Why a verified delivery could not become valid emissions: the mapping threw or returned the wrong shape
 * (`map`), its CloudEvents could not be converted (`cloudevents`), or ingest rejected what it emitted
 * (`ingest`, with the rule and the element). Such a delivery is kept as a dead letter, never refused; a
 * replay that fails again answers `mapping_failed`.
 */
export interface MappingFailure {
  readonly stage: 'map' | 'cloudevents' | 'ingest';
  readonly message: string;
  readonly stack?: string;
  /** The element of a returned array that is at fault. */
  readonly index?: number;
  /** The rule broken: `map_missing`, `map_result_shape`, `map_async`, or an ingest rule. */
  readonly rule?: string;
  /** For `cloudevents` and `ingest`: the error code of what was refused. */
  readonly code?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type MappingResult =
  | { readonly ok: true; readonly emissions: ReadonlyArray<Emission> }
  | { readonly ok: false; readonly error: MappingFailure };

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/**
 * Runs a connector's mapping over one delivery and normalizes what it returns: one emission, a list,
 * or null (nothing to emit) become a list. A mapping that throws is a result, not an exception, so the
 * caller can dead-letter the delivery. The emissions themselves are not validated here; ingest does that.
 */
export function runMapping(connector: Connector, input: MapInput): MappingResult {
  if (connector.map === null) {
    return {
      ok: false,
      error: {
        stage: 'map',
        message: `connector "${connector.id}" has no mapping for deliveries`,
        rule: 'map_missing',
      },
    };
  }
  let result: unknown;
  try {
    result = connector.map(input);
  } catch (thrown) {
    return { ok: false, error: failureOf(thrown) };
  }
  if (result === null) return { ok: true, emissions: [] };
  if (isObject(result) && typeof (result as { then?: unknown }).then === 'function') {
    // A promise would be an unawaited async mapping; its rejection must not go unhandled.
    (result as Promise<unknown>).then(undefined, () => {});
    return {
      ok: false,
      error: {
        stage: 'map',
        message: 'the mapping returned a promise; mappings are synchronous, pure functions',
        rule: 'map_async',
      },
    };
  }
  if (Array.isArray(result)) {
    const index = result.findIndex((element) => !isObject(element) || Array.isArray(element));
    if (index !== -1) {
      return {
        ok: false,
        error: {
          stage: 'map',
          message: `the mapping returned a list whose element ${index} is ${describe(result[index])}, not an emission`,
          index,
          rule: 'map_result_shape',
        },
      };
    }
    return { ok: true, emissions: result as Emission[] };
  }
  if (isObject(result)) return { ok: true, emissions: [result as Emission] };
  return {
    ok: false,
    error: {
      stage: 'map',
      message: `the mapping returned ${describe(result)}; return an emission, a list of emissions, or null`,
      rule: 'map_result_shape',
    },
  };
}

function failureOf(thrown: unknown): MappingFailure {
  if (thrown instanceof Error) {
    return thrown.stack === undefined
      ? { stage: 'map', message: thrown.message }
      : { stage: 'map', message: thrown.message, stack: thrown.stack };
  }
  return { stage: 'map', message: `the mapping threw ${describe(thrown)}` };
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}
