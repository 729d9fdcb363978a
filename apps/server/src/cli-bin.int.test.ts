import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { childEnv } from './testing/config.ts';

const BIN = fileURLToPath(new URL('../bin/sluice.mjs', import.meta.url));
/** An older Node than the project's, the way a shell's `node` may be (the system's). */
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find(
  (path) =>
    existsSync(path) &&
    Number(spawnSync(path, ['-p', 'process.versions.node']).stdout.toString().split('.')[0]) < 24,
);

describe(
  'the sluice command',
  { skip: OLD_NODE === undefined && 'no Node older than 24 on this machine' },
  () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sluice-bin-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('runs on the project’s Node when the shell’s node is older', () => {
      const result = spawnSync(OLD_NODE as string, [BIN, '--help'], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /Usage: sluice/);
      assert.match(result.stdout, /keys/);
    });

    it('passes a TERM on to the server it started, which stops and frees its port', async () => {
      const child = spawn(OLD_NODE as string, [BIN, 'dev', '--port', '0'], {
        env: childEnv({ SLUICE_DATA_DIR: join(dir, 'data'), SLUICE_LOG_LEVEL: 'warn' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), 30_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /Sluice listening on (http:\/\/\S+)/.exec(output);
          if (match?.[1] !== undefined) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
      });
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
      await assert.rejects(fetch(`${url}/healthz`), 'nothing listens on the port any more');
    });
  },
);
