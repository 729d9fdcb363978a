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
 * The stream an emission arrives on: the one that declares `emission.event_type`. An `emission.stream`, when
 * given, must name that same stream. An undeclared event type is reported first, whatever the stream.
 */
export function resolveStream(
  connector: Connector,
  emission: Pick<Emission, 'event_type' | 'stream'>,
): StreamResolution {
  const owner = connector.eventTypes.get(emission.event_type);
  if (owner === undefined) {
    return {
      ok: false,
      rule: 'event_type_undeclared',
      message: `connector "${connector.id}" declares no event type "${emission.event_type}"`,
    };
  }
  if (emission.stream === undefined || emission.stream === owner) return { ok: true, stream: owner };
  const declared = connector.streams.some((stream) => stream.key === emission.stream);
  if (!declared) {
    return {
      ok: false,
      rule: 'stream_undeclared',
      message: `connector "${connector.id}" declares no stream "${emission.stream}"`,
    };
  }
  return {
    ok: false,
    rule: 'stream_event_type_mismatch',
    message: `connector "${connector.id}" stream "${emission.stream}" does not declare event type "${emission.event_type}" (declared on "${owner}")`,
  };
}
