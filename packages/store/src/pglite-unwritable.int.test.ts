import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { SluiceError } from '@sluice/core';
import { createPgliteClient, type PgliteStateChange } from './pglite-client.ts';
import type { SqlClient } from './sql-client.ts';
import { mountTmpfs, type Tmpfs, tmpfsUnavailable } from './testing/tmpfs.ts';

const unavailable = await tmpfsUnavailable();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The embedded store on a small tmpfs of its own, filled to ENOSPC and made read-only while it writes:
 * every call answers `storage_unavailable` at once (the thread never stops), and once the directory takes
 * writes again the same client writes again, without a restart, and loses nothing it committed.
 */
describe('embedded store whose data directory stops taking writes', { skip: unavailable ?? false }, () => {
  let disk: Tmpfs;
  let dataDir: string;
  let client: SqlClient;
  const changes: PgliteStateChange[] = [];
  const committed = new Set<number>();
  let next = 0;

  before(async () => {
    disk = await mountTmpfs(96);
    dataDir = join(disk.dir, 'pgdata');
    client = await createPgliteClient(dataDir, {
      initialDelayMs: 50,
      maxDelayMs: 250,
      onStateChange: (change) => changes.push(change),
    });
    await client.exec('CREATE TABLE rows (id int PRIMARY KEY, body text NOT NULL)');
  });
  after(async () => {
    await client?.close().catch(() => {});
    await disk?.destroy();
  });

  /** One insert of a 2 KB row, in a transaction; answers how it ended. */
  const write = async (): Promise<'ok' | 'refused'> => {
    const id = next++;
    try {
      await client.transaction(async (tx) => {
        await tx.query('INSERT INTO rows (id, body) VALUES ($1, repeat($2, 2048))', [id, 'x']);
      });
      committed.add(id);
      return 'ok';
    } catch (error) {
      assert.ok(error instanceof SluiceError, `not a SluiceError: ${String(error)}`);
      assert.equal(error.code, 'storage_unavailable');
      return 'refused';
    }
  };

  /** Writes until one is refused (the store noticed), with a timer that must keep ticking meanwhile. */
  const writeUntilRefused = async (): Promise<void> => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      for (let i = 0; i < 2_000; i++) if ((await write()) === 'refused') break;
      // Refused from now on, at once, reads too: the instance is not called until it is reopened.
      for (let i = 0; i < 5; i++) assert.equal(await write(), 'refused');
      await assert.rejects(client.query('SELECT 1'), { code: 'storage_unavailable' });
      await assert.rejects(client.probeWrite?.() ?? Promise.reject(new Error('no probe')), {
        code: 'storage_unavailable',
      });
      await sleep(50);
      assert.ok(ticks > 0, 'the event loop kept turning');
    } finally {
      clearInterval(timer);
    }
  };

  /** Answers the ms from now until a write succeeds again. */
  const recovery = async (boundMs: number): Promise<number> => {
    const started = Date.now();
    while (Date.now() - started < boundMs) {
      if ((await write()) === 'ok') return Date.now() - started;
      await sleep(50);
    }
    assert.fail(`no write succeeded within ${boundMs} ms`);
  };

  it('a full disk: refused while full, writing again once space is freed', async (t) => {
    for (let i = 0; i < 20; i++) assert.equal(await write(), 'ok');
    assert.ok(disk.fill() > 0);
    await writeUntilRefused();
    await disk.free();
    t.diagnostic(`recovered in ${await recovery(10_000)} ms; ${JSON.stringify(changes)}`);
    assert.deepEqual(
      changes.map((c) => c.state),
      ['unwritable', 'writable'],
    );
    await client.probeWrite?.();
  });

  it('a read-only data directory: refused while read-only, writing again once writable', async (t) => {
    for (let i = 0; i < 20; i++) assert.equal(await write(), 'ok');
    const how = await disk.readOnly(dataDir);
    await writeUntilRefused();
    await disk.writable();
    t.diagnostic(
      `read-only by ${how}; recovered in ${await recovery(10_000)} ms; ${JSON.stringify(changes)}`,
    );
    assert.deepEqual(
      changes.map((c) => c.state),
      ['unwritable', 'writable', 'unwritable', 'writable'],
    );
  });

  it('reopened anew, the directory holds every committed row once and nothing else', async () => {
    await client.close();
    const fresh = new PGlite(dataDir);
    try {
      const stored = (await fresh.query<{ id: number }>('SELECT id FROM rows')).rows.map((r) => r.id);
      // A refused commit may still have reached the WAL (the engine failed after writing it): a row the
      // writer was told failed may be there, but never one it was told committed may be missing.
      assert.deepEqual(
        [...committed].filter((id) => !stored.includes(id)),
        [],
      );
      assert.ok(stored.every((id) => id >= 0 && id < next));
      assert.equal(new Set(stored).size, stored.length);
      await fresh.query('INSERT INTO rows (id, body) VALUES ($1, $2)', [-1, 'after']);
    } finally {
      await fresh.close();
    }
  });
});
