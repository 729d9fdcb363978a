import { createHash } from 'node:crypto';

/** A JSON value with object keys sorted at every depth, and the ignored (dotted) paths left out. */
export function canonicalRecord(value: unknown, ignore: ReadonlyArray<string> = []): unknown {
  const ignored = new Set(ignore);
  const walk = (node: unknown, path: string): unknown => {
    if (Array.isArray(node))
      return node.map((item, index) => walk(item, `${path}${path === '' ? '' : '.'}${index}`));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(node).sort()) {
        const child = path === '' ? key : `${path}.${key}`;
        const item = (node as Record<string, unknown>)[key];
        if (ignored.has(child) || item === undefined) continue;
        out[key] = walk(item, child);
      }
      return out;
    }
    return node;
  };
  return walk(value, '');
}

/** The SHA-256 (hex) of a record's canonical JSON: key order does not matter, ignored fields do not count. */
export function recordHash(canonical: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** The value at a dotted path of a record, or undefined. */
export function valueAt(record: unknown, path: string): unknown {
  let node: unknown = record;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
