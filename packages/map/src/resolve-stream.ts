import type { Connector, Emission } from '@sluice/core';

/** Why an emission has no stream to arrive on. */
export type StreamResolutionRule =
  | 'event_type_undeclared'
  | 'stream_undeclared'
  | 'stream_event_type_mismatch';

export type StreamResolution =
  | { readonly ok: true; readonly stream: string }
  | { readonly ok: false; readonly rule: StreamResolutionRule; readonly message: string };

/**
 * The stream an emission arrives on: `emission.stream` when given (it must be declared and must declare
 * the emission's event type), else the stream that declares `emission.event_type`.
 */
export function resolveStream(
  connector: Connector,
  emission: Pick<Emission, 'event_type' | 'stream'>,
): StreamResolution {
  const owner = connector.eventTypes.get(emission.event_type);
  if (emission.stream !== undefined) {
    const declared = connector.streams.some((stream) => stream.key === emission.stream);
    if (!declared) {
      return {
        ok: false,
        rule: 'stream_undeclared',
        message: `connector "${connector.id}" declares no stream "${emission.stream}"`,
      };
    }
    if (owner !== emission.stream) {
      return {
        ok: false,
        rule: 'stream_event_type_mismatch',
        message: `connector "${connector.id}" stream "${emission.stream}" does not declare event type "${emission.event_type}"`,
      };
    }
    return { ok: true, stream: emission.stream };
  }
  if (owner === undefined) {
    return {
      ok: false,
      rule: 'event_type_undeclared',
      message: `connector "${connector.id}" declares no event type "${emission.event_type}"`,
    };
  }
  return { ok: true, stream: owner };
}
