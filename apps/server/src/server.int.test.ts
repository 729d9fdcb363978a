import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './server.ts';

const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

describe('starting the embedded server', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-start-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const config = (dataDir: string, port = '0') =>
    loadConfig({
      SLUICE_PORT: port,
      SLUICE_DATA_DIR: dataDir,
      SLUICE_LOG_LEVEL: 'silent',
      SLUICE_SWEEP_INTERVAL_SECONDS: '0',
    });

  it('refuses a second server on the same data directory, and allows one once the first has stopped', async () => {
    const dataDir = join(dir, 'shared');
    const first = await startServer(config(dataDir), { out: quiet });
    try {
      await assert.rejects(startServer(config(dataDir), { out: quiet }), (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.message,
          new RegExp(`Another Sluice \\(pid ${process.pid}\\) is using this data directory`),
        );
        return true;
      });
      assert.equal((await fetch(`${first.url}/readyz`)).status, 200, 'the first server is untouched');
    } finally {
      await first.close();
    }
    const third = await startServer(config(dataDir), { out: quiet });
    assert.equal((await fetch(`${third.url}/healthz`)).status, 200);
    await third.close();
  });

  it('takes over the lock of a process that died', async () => {
    const dataDir = join(dir, 'stale');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    await startServer(config(dataDir), { out: quiet }).then((s) => s.close());
    await writeFile(join(dataDir, 'pgdata.lock'), `${dead.stdout.toString()}\n`);
    const server = await startServer(config(dataDir), { out: quiet });
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    await server.close();
  });

  it('says so when the port is taken, and leaves the data directory unlocked', async () => {
    const holder = await startServer(config(join(dir, 'holder')), { out: quiet });
    const port = new URL(holder.url).port;
    const dataDir = join(dir, 'second');
    try {
      await assert.rejects(startServer(config(dataDir, port), { out: quiet }), (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /is already in use; set SLUICE_PORT/);
        return true;
      });
    } finally {
      await holder.close();
    }
    const retry = await startServer(config(dataDir), { out: quiet });
    await retry.close();
  });
});
