import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPartitionCount, partitionOf } from './partition-of.ts';

describe('partitionOf', () => {
  it('is FNV-1a 32 over UTF-8 (published test vectors), so every process and adapter agrees', () => {
    const full = 2 ** 32;
    assert.equal(partitionOf('', full), 0x811c9dc5);
    assert.equal(partitionOf('a', full), 0xe40c292c);
    assert.equal(partitionOf('foobar', full), 0xbf9cf968);
  });

  it('hashes the bytes, not UTF-16 code units', () => {
    const viaBytes = (text: string): number => {
      let hash = 0x811c9dc5;
      for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193);
      return hash >>> 0;
    };
    assert.equal(partitionOf('ünï✓', 2 ** 32), viaBytes('ünï✓'));
  });

  it('spreads connection ids evenly enough over 16 partitions', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 3_200; i++) {
      const key = `0190f3a2-${i.toString(16).padStart(4, '0')}-7000-8000-00000000000${i % 10}`;
      const partition = partitionOf(key, 16);
      counts[partition] = (counts[partition] ?? 0) + 1;
    }
    for (const count of counts) assert.ok(count > 100 && count < 300, `partition count ${count}`);
  });

  it('refuses partition counts that cannot work', () => {
    assert.equal(checkPartitionCount(16), 16);
    for (const bad of [0, -1, 1.5, 2_000, Number.NaN])
      assert.throws(() => checkPartitionCount(bad), RangeError);
  });
});
