import { isEventType } from '@sluice/core';

/**
 * A parsed event-type pattern. `*` stands for one or more whole segments, so `order.*` matches
 * `order.created` and `order.line.added`, `*.created` matches `hvac.zone.created`, and `*` matches all.
 */
export type EventTypePattern =
  | { readonly kind: 'exact'; readonly type: string }
  | { readonly kind: 'prefix'; readonly prefix: string }
  | { readonly kind: 'suffix'; readonly suffix: string }
  | { readonly kind: 'all' }
  | { readonly kind: 'glob'; readonly segments: ReadonlyArray<string> };

/** The pattern, or why the text is not one. */
export type EventTypePatternResult =
  | { readonly ok: true; readonly pattern: EventTypePattern }
  | { readonly ok: false; readonly message: string };

/** Longest pattern accepted, in characters and in segments. */
export const PATTERN_LIMITS = { maxLength: 256, maxSegments: 16 } as const;

const SEGMENT = /^[a-z][a-z0-9_]*$/;

/** Parses `order.created`, `order.*`, `*.created`, `*` or a glob like `order.*.failed`. Never throws. */
export function parseEventTypePattern(text: unknown): EventTypePatternResult {
  const fail = (why: string): EventTypePatternResult => ({
    ok: false,
    message: `${why}; a pattern is a dotted event type whose segments may be * (e.g. "order.created", "order.*", "*.created", "*"), got ${JSON.stringify(typeof text === 'string' ? text.slice(0, 80) : typeof text)}`,
  });
  if (typeof text !== 'string') return fail('not a string');
  const segments = text.split('.');
  if (text.length > PATTERN_LIMITS.maxLength || segments.length > PATTERN_LIMITS.maxSegments) {
    return fail(`at most ${PATTERN_LIMITS.maxLength} characters and ${PATTERN_LIMITS.maxSegments} segments`);
  }
  if (!segments.every((segment) => segment === '*' || SEGMENT.test(segment))) {
    return fail('each segment is lowercase letters, digits and _ starting with a letter, or a whole *');
  }
  const stars = segments.filter((segment) => segment === '*').length;
  if (stars === 0) {
    return isEventType(text)
      ? { ok: true, pattern: { kind: 'exact', type: text } }
      : fail('too few segments');
  }
  if (segments.length === 1) return { ok: true, pattern: { kind: 'all' } };
  if (stars === 1 && segments.at(-1) === '*') {
    return { ok: true, pattern: { kind: 'prefix', prefix: segments.slice(0, -1).join('.') } };
  }
  if (stars === 1 && segments[0] === '*') {
    return { ok: true, pattern: { kind: 'suffix', suffix: segments.slice(1).join('.') } };
  }
  return { ok: true, pattern: { kind: 'glob', segments } };
}

/** True when `eventType` matches `pattern`; the reference the trigger index is tested against. */
export function matchesEventType(pattern: EventTypePattern, eventType: string): boolean {
  switch (pattern.kind) {
    case 'exact':
      return eventType === pattern.type;
    case 'prefix':
      return eventType.length > pattern.prefix.length + 1 && eventType.startsWith(`${pattern.prefix}.`);
    case 'suffix':
      return eventType.length > pattern.suffix.length + 1 && eventType.endsWith(`.${pattern.suffix}`);
    case 'all':
      return eventType.length > 0;
    case 'glob':
      return matchesGlob(pattern.segments, eventType.split('.'));
  }
}

/** Segment glob where `*` takes one or more segments: a table over positions, so no backtracking. */
function matchesGlob(pattern: ReadonlyArray<string>, type: ReadonlyArray<string>): boolean {
  // reach[j]: the pattern segments so far consume exactly the first j type segments.
  let reach: boolean[] = type.map(() => false);
  reach.unshift(true);
  for (const segment of pattern) {
    const next: boolean[] = [false];
    let seen = false;
    for (let j = 1; j <= type.length; j++) {
      const before = reach[j - 1] === true;
      seen ||= before;
      next.push(segment === '*' ? seen : before && type[j - 1] === segment);
    }
    reach = next;
  }
  return reach[type.length] === true;
}
