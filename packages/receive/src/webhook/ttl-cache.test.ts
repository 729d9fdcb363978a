import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TtlCache } from './ttl-cache.ts';

describe('TtlCache', () => {
  it('loads once per ttl and shares one load between concurrent misses', async () => {
    let now = 1_000;
    let loads = 0;
    const cache = new TtlCache<number>(100, () => now);
    const load = async () => ++loads;
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    assert.deepEqual([a, b, loads], [1, 1, 1]);
    now += 99;
    assert.equal(await cache.get('k', load), 1);
    now += 1;
    assert.equal(await cache.get('k', load), 2);
    assert.equal(await cache.get('other', load), 3);
  });

  it('keeps no failed load, and forgets everything on clear', async () => {
    const now = 0;
    const cache = new TtlCache<string>(1_000, () => now);
    await assert.rejects(
      cache.get('k', async () => Promise.reject(new Error('down'))),
      /down/,
    );
    assert.equal(await cache.get('k', async () => 'up'), 'up');
    cache.clear();
    assert.equal(await cache.get('k', async () => 'fresh'), 'fresh');
  });

  it('does not trust an entry from the future when the clock goes back', async () => {
    let now = 5_000;
    const cache = new TtlCache<string>(1_000, () => now);
    await cache.get('k', async () => 'later');
    now = 1_000;
    assert.equal(await cache.get('k', async () => 'earlier'), 'earlier');
  });
});
