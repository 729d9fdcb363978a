import type { ChangeDetection, ConnectorSpec, StreamDeclaration } from '@sluice/core';
import { type DefinitionProblem, problem } from './definition-problem.ts';

/** The stream key an `events`-style declaration gets: its event type with '.' replaced by '_'. */
export function streamKeyForEventType(eventType: string): string {
  return eventType.replaceAll('.', '_');
}

/** A stream in the one list both declaration styles become, remembering where it came from. */
export interface DraftStream {
  readonly declaration: StreamDeclaration;
  /** Set for `events`-style streams: the event type the key was derived from. */
  readonly derivedFrom: string | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Turns `events` (seed 000: a record keyed by event type) or `streams` (seed 003: a list) into one list
 * of stream declarations. Reports a missing, doubled or malformed declaration as a problem; the
 * naming and mode rules are checked afterwards on the list.
 */
export function normalizeStreams(spec: ConnectorSpec): {
  readonly streams: ReadonlyArray<DraftStream>;
  readonly problems: ReadonlyArray<DefinitionProblem>;
} {
  const id = String(spec.id);
  const hasEvents = spec.events !== undefined;
  const hasStreams = spec.streams !== undefined;
  if (hasEvents && hasStreams) {
    return {
      streams: [],
      problems: [
        problem(
          id,
          null,
          'streams_declared',
          'declare streams with either `events` (keyed by event type) or `streams` (a list), not both',
        ),
      ],
    };
  }
  if (!hasEvents && !hasStreams) {
    return {
      streams: [],
      problems: [
        problem(
          id,
          null,
          'streams_declared',
          'declares no streams: give `events` (keyed by event type) or `streams` (a list)',
        ),
      ],
    };
  }
  return hasEvents ? fromEventsRecord(id, spec.events) : fromStreamsList(id, spec.streams);
}

function fromEventsRecord(id: string, events: unknown) {
  const streams: DraftStream[] = [];
  const problems: DefinitionProblem[] = [];
  if (!isRecord(events)) {
    problems.push(problem(id, null, 'stream_shape', '`events` must be an object keyed by event type'));
    return { streams, problems };
  }
  for (const [eventType, entry] of Object.entries(events)) {
    const key = streamKeyForEventType(eventType);
    if (!isRecord(entry)) {
      problems.push(
        problem(id, key, 'stream_shape', `events[${JSON.stringify(eventType)}] must be { kind }`),
      );
      continue;
    }
    streams.push({
      declaration: {
        key,
        mode: entry['kind'] as StreamDeclaration['mode'],
        events: [eventType],
        ...optionalString('topic', entry['topic']),
        ...optionalString('schedule', entry['schedule']),
      },
      derivedFrom: eventType,
    });
  }
  return { streams, problems };
}

function fromStreamsList(id: string, list: unknown) {
  const streams: DraftStream[] = [];
  const problems: DefinitionProblem[] = [];
  if (!Array.isArray(list)) {
    problems.push(problem(id, null, 'stream_shape', '`streams` must be a list of { key, mode, events }'));
    return { streams, problems };
  }
  list.forEach((entry: unknown, index) => {
    const key = isRecord(entry) && typeof entry['key'] === 'string' ? entry['key'] : `#${index}`;
    if (!isRecord(entry) || typeof entry['key'] !== 'string') {
      problems.push(problem(id, key, 'stream_shape', 'each stream must be { key, mode, events }'));
      return;
    }
    const events = entry['events'];
    if (!Array.isArray(events) || events.some((type) => typeof type !== 'string')) {
      problems.push(problem(id, key, 'stream_shape', '`events` must be a list of event type strings'));
      return;
    }
    streams.push({
      declaration: {
        key,
        mode: entry['mode'] as StreamDeclaration['mode'],
        events: [...(events as string[])],
        ...optionalString('topic', entry['topic']),
        ...optionalString('schedule', entry['schedule']),
        ...(entry['changes'] === undefined
          ? {}
          : { changes: entry['changes'] as NonNullable<StreamDeclaration['changes']> }),
        ...(typeof entry['active'] === 'function'
          ? { active: entry['active'] as NonNullable<StreamDeclaration['active']> }
          : {}),
      },
      derivedFrom: null,
    });
  });
  return { streams, problems };
}

// exactOptionalPropertyTypes: an absent option must be absent, not `undefined`.
function optionalString<K extends string>(name: K, value: unknown): { [P in K]?: string } {
  return value === undefined ? {} : ({ [name]: value } as { [P in K]?: string });
}
