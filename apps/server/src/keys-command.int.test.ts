import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';
import { createKeyInStore } from './keys-command.ts';
import { startServer } from './server.ts';

/** Collects what the server prints. */
function capture(): { out: NodeJS.WritableStream; text(): string } {
  let text = '';
  const out = {
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { out, text: () => text };
}

describe('the dev key and `sluice keys create`', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-keys-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const config = (dataDir: string, port = '0') =>
    loadConfig({
      SLUICE_PORT: port,
      SLUICE_DATA_DIR: dataDir,
      SLUICE_DEV: '1',
      SLUICE_LOG_LEVEL: 'silent',
      SLUICE_SWEEP_INTERVAL_SECONDS: '0',
    });

  it('prints no key when the port is taken, and prints it on the first start that listens', async () => {
    const dataDir = join(dir, 'taken');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = String((holder.address() as { port: number }).port);
    const failed = capture();
    await assert.rejects(startServer(config(dataDir, port), { out: failed.out }), /already in use/);
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    assert.doesNotMatch(failed.text(), /slk_/, 'no key before the server listens');

    const started = capture();
    const server = await startServer(config(dataDir), { out: started.out });
    await server.close();
    assert.match(started.text(), /Created dev tenant[\s\S]*slk_[\s\S]*Sluice listening on/);
    assert.match(started.text(), /keys create/);
  });

  it('refuses while the server holds the embedded store, then issues a key that works', async () => {
    const dataDir = join(dir, 'lost');
    const first = capture();
    const server = await startServer(config(dataDir), { out: first.out });
    await assert.rejects(createKeyInStore(config(dataDir), { name: 'again' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /Stop the server first/);
      return true;
    });
    await server.close();

    const issued = await createKeyInStore(config(dataDir), { name: 'again' });
    assert.match(issued.key, /^slk_/);
    const again = await startServer(config(dataDir), { out: capture().out });
    try {
      const ok = await fetch(`${again.url}/api/v1/connections`, {
        headers: { authorization: `Bearer ${issued.key}` },
      });
      assert.equal(ok.status, 200, 'the new key authenticates');
    } finally {
      await again.close();
    }
  });

  it('names the tenant to choose when there is none or several', async () => {
    const empty = join(dir, 'empty');
    await assert.rejects(
      createKeyInStore(loadConfig({ SLUICE_DATA_DIR: empty, SLUICE_LOG_LEVEL: 'silent' }), { name: 'x' }),
      /There is no tenant yet/,
    );
    await assert.rejects(
      createKeyInStore(config(join(dir, 'lost')), { tenantId: 'ten_nope', name: 'x' }),
      /Tenant "ten_nope" does not exist/,
    );
  });
});
