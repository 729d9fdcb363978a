import { ENVELOPE_FIELDS } from '@sluice/core';
import { CONDITION_LIMITS } from './condition-problem.ts';

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const INDEX = /^(0|[1-9][0-9]{0,8})$/;
const ROOTS: ReadonlySet<string> = new Set(ENVELOPE_FIELDS);
const ROOT_LIST = ENVELOPE_FIELDS.join(', ');

/** Why `path` is not a condition path, or null when it is. */
export function pathProblem(
  path: string,
): { rule: 'path_format' | 'path_root_unknown'; text: string } | null {
  const segments = path.split('.');
  if (
    path.length > CONDITION_LIMITS.maxPathLength ||
    segments.length > CONDITION_LIMITS.maxPathSegments ||
    !segments.every((segment) => SEGMENT.test(segment))
  ) {
    return {
      rule: 'path_format',
      text: `a path is up to ${CONDITION_LIMITS.maxPathSegments} dot-separated segments of letters, digits, '_' and '-' (e.g. "payload.total"), got ${JSON.stringify(path.slice(0, 80))}`,
    };
  }
  if (!ROOTS.has(segments[0] ?? '')) {
    return {
      rule: 'path_root_unknown',
      text: `a path starts with an envelope field (${ROOT_LIST}), got ${JSON.stringify(segments[0])}`,
    };
  }
  return null;
}

/** Reads one segment: own properties of objects, decimal indexes of arrays; anything else is absent. */
function step(value: unknown, segment: string, isIndex: boolean): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) return isIndex ? value[Number(segment)] : undefined;
  return Object.hasOwn(value, segment) ? (value as Record<string, unknown>)[segment] : undefined;
}

/** Splits a valid path once into a reader of the value it names in an envelope (undefined when absent). */
export function compilePath(path: string): (root: unknown) => unknown {
  const segments = path.split('.');
  const indexes = segments.map((segment) => INDEX.test(segment));
  const [a = '', b = '', c = ''] = segments;
  const [ia = false, ib = false, ic = false] = indexes;
  switch (segments.length) {
    case 1:
      return (root) => step(root, a, ia);
    case 2:
      return (root) => step(step(root, a, ia), b, ib);
    case 3:
      return (root) => step(step(step(root, a, ia), b, ib), c, ic);
    default:
      return (root) => {
        let value = root;
        for (let i = 0; i < segments.length && value !== undefined; i++) {
          value = step(value, segments[i] ?? '', indexes[i] ?? false);
        }
        return value;
      };
  }
}
