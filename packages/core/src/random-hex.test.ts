import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newTraceId, randomHex } from './ids.ts';

describe('randomHex', () => {
  it('gives lowercase hex of the length asked, different every time, across pool refills', () => {
    const seen = new Set<string>();
    // 2,000 × 8 bytes is four refills of the 4 KiB pool.
    for (let i = 0; i < 2_000; i++) {
      const id = randomHex(8);
      assert.match(id, /^[0-9a-f]{16}$/);
      seen.add(id);
    }
    assert.equal(seen.size, 2_000);
    assert.match(newTraceId(), /^[0-9a-f]{32}$/);
  });

  it('spreads its bytes: every hex digit about as often as the others', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 1_000; i++)
      for (const digit of randomHex(16)) counts.set(digit, (counts.get(digit) ?? 0) + 1);
    assert.equal(counts.size, 16);
    // 32,000 digits: 2,000 each expected; a pool handed out twice or zeroed would be far off.
    for (const [digit, count] of counts) assert.ok(count > 1_700 && count < 2_300, `${digit}: ${count}`);
  });
});
