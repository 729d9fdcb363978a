import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalRecord, recordHash } from './canonical-record.ts';
import { recordDiff } from './record-diff.ts';

describe('canonical records and their diff', () => {
  it('hashes the same record the same whatever its key order, ignoring the ignored fields', () => {
    const a = canonicalRecord({ id: 1, b: { y: 2, x: 1 }, fetched_at: 'now' }, ['fetched_at']);
    const b = canonicalRecord({ b: { x: 1, y: 2 }, id: 1, fetched_at: 'later' }, ['fetched_at']);
    assert.equal(recordHash(a), recordHash(b));
    assert.notEqual(recordHash(a), recordHash(canonicalRecord({ id: 1, b: { x: 1, y: 3 } })));
    assert.deepEqual(canonicalRecord({ a: { t: 1, keep: 2 } }, ['a.t']), { a: { keep: 2 } });
  });

  it('lists changed fields by dotted path, from and to, null for an absent side', () => {
    assert.deepEqual(
      recordDiff({ id: 1, a: { x: 1, y: 2 }, tags: [1] }, { id: 1, a: { x: 1, y: 3 }, tags: [1, 2], n: 0 }),
      [
        { path: 'a.y', from: 2, to: 3 },
        { path: 'n', from: null, to: 0 },
        { path: 'tags', from: [1], to: [1, 2] },
      ],
    );
    assert.deepEqual(recordDiff({ a: 1 }, { a: 1 }), []);
  });
});
