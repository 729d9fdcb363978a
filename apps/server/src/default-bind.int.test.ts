import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from './config.ts';
import { startServer } from './server.ts';

const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

describe('the default bind', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-bind-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('listens on 127.0.0.1 only when SLUICE_HOST is unset', async () => {
    const config = loadConfig({
      SLUICE_PORT: '0',
      SLUICE_DATA_DIR: join(dir, 'data'),
      SLUICE_LOG_LEVEL: 'silent',
      SLUICE_DEV: '0',
    });
    assert.equal(config.host, '127.0.0.1');
    const server = await startServer(config, { out: quiet });
    try {
      const address = server.app.server.address() as AddressInfo;
      assert.equal(address.address, '127.0.0.1');
      assert.equal(address.family, 'IPv4');
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
    } finally {
      await server.close();
    }
  });
});
