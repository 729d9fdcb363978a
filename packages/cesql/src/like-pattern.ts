/** One character position of a pattern segment: a literal character, or `_` (any one character). */
const ANY_ONE = null;
type Segment = ReadonlyArray<string | typeof ANY_ONE>;

/** A compiled LIKE pattern: tests a string in O(length × pattern length) time, without backtracking. */
export type LikeMatcher = (value: string) => boolean;

/**
 * Compiles a LIKE pattern (spec 3.4.3): `%` is any run of characters, `_` any one character, `\%` and
 * `\_` the characters themselves; every other character, a lone backslash included, stands for itself.
 * Characters are Unicode code points, so `_` matches one emoji.
 */
export function compileLike(pattern: string): LikeMatcher {
  const segments = splitAtPercent(pattern);
  if (!SURROGATE.test(pattern) && segments.every((segment) => !segment.includes(ANY_ONE))) {
    return compileLiteralSegments(segments.map((segment) => segment.join('')));
  }
  const first = segments[0] as Segment;
  if (segments.length === 1) {
    return (value) => {
      const chars = charsOf(value);
      return chars.length === first.length && matchesAt(chars, 0, first);
    };
  }
  const last = segments[segments.length - 1] as Segment;
  const middle = segments.slice(1, -1).filter((segment) => segment.length > 0);
  const fixedLength = segments.reduce((sum, segment) => sum + segment.length, 0);
  return (value) => {
    const chars = charsOf(value);
    if (chars.length < fixedLength) return false;
    const end = chars.length - last.length;
    if (!matchesAt(chars, 0, first) || !matchesAt(chars, end, last)) return false;
    // Every segment has a fixed length, so taking each middle one at its earliest match leaves the most
    // room for the rest: a greedy scan is exact, and no choice is ever revisited.
    let from = first.length;
    for (const segment of middle) {
      const found = findFrom(chars, from, end - segment.length, segment);
      if (found < 0) return false;
      from = found + segment.length;
    }
    return true;
  };
}

/**
 * Without `_` or surrogates the same greedy scan runs on UTF-16 units with the engine's string search:
 * a segment that starts with a non-surrogate can never match inside a surrogate pair.
 */
function compileLiteralSegments(segments: readonly string[]): LikeMatcher {
  const first = segments[0] as string;
  if (segments.length === 1) return (value) => value === first;
  const last = segments[segments.length - 1] as string;
  const middle = segments.slice(1, -1).filter((segment) => segment.length > 0);
  const fixedLength = segments.reduce((sum, segment) => sum + segment.length, 0);
  return (value) => {
    if (value.length < fixedLength || !value.startsWith(first) || !value.endsWith(last)) return false;
    const end = value.length - last.length;
    let from = first.length;
    for (const segment of middle) {
      const found = value.indexOf(segment, from);
      if (found < 0 || found + segment.length > end) return false;
      from = found + segment.length;
    }
    return true;
  };
}

function splitAtPercent(pattern: string): Segment[] {
  const segments: Segment[] = [];
  let current: Array<string | typeof ANY_ONE> = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    const next = chars[i + 1];
    if (ch === '\\' && (next === '%' || next === '_')) {
      current.push(next);
      i++;
    } else if (ch === '%') {
      segments.push(current);
      current = [];
    } else {
      current.push(ch === '_' ? ANY_ONE : ch);
    }
  }
  segments.push(current);
  return segments;
}

function matchesAt(chars: ArrayLike<string>, at: number, segment: Segment): boolean {
  for (let j = 0; j < segment.length; j++) {
    const expected = segment[j];
    if (expected !== ANY_ONE && chars[at + j] !== expected) return false;
  }
  return true;
}

function findFrom(chars: ArrayLike<string>, from: number, lastStart: number, segment: Segment): number {
  for (let at = from; at <= lastStart; at++) if (matchesAt(chars, at, segment)) return at;
  return -1;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** The code points of `value`; a string without surrogates already indexes as one. */
function charsOf(value: string): ArrayLike<string> {
  return SURROGATE.test(value) ? Array.from(value) : value;
}
