import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tuneHeap } from './heap-tuning.ts';

describe('tuneHeap', () => {
  it('sets the growth of the heap unless node was given its own', () => {
    assert.equal(tuneHeap(['--max-semi-space-size=8']), true);
    assert.equal(tuneHeap(['--heap-growing-percent=20']), false);
    assert.equal(tuneHeap(['--max-semi-space-size=8', '--heap_growing_percent=80']), false);
  });
});
