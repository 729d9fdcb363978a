import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { lazyModule } from './lazy-module.ts';

describe('lazyModule', () => {
  it('loads the module at the first call, once, resolved from the caller', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-lazy-'));
    try {
      const loads = join(dir, 'loads.txt');
      await writeFile(
        join(dir, 'counted.cjs'),
        `require('node:fs').appendFileSync(${JSON.stringify(loads)}, 'x'); module.exports = { answer: 42 };`,
      );
      const read = async () => (await import('node:fs/promises')).readFile(loads, 'utf8').catch(() => '');
      const counted = lazyModule<{ answer: number }>(
        pathToFileURL(join(dir, 'caller.js')).href,
        './counted.cjs',
      );
      assert.equal(await read(), '', 'nothing is loaded before the first call');
      assert.equal(counted().answer, 42);
      assert.equal(counted().answer, 42);
      assert.equal(await read(), 'x', 'loaded once');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('throws the resolution error at the first call, not before', () => {
    const missing = lazyModule(import.meta.url, 'sluice-no-such-package');
    assert.throws(() => missing(), { code: 'MODULE_NOT_FOUND' });
  });
});
