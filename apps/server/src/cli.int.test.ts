import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { VERIFICATION_SCHEMES, type VerificationConfig } from '@sluice/core';
import { generateSecret, verifyWebhook } from '@sluice/signatures';

const run = promisify(execFile);
const CLI = new URL('./cli.ts', import.meta.url).pathname;

describe('sluice CLI', () => {
  let dir: string;
  let bodyFile: string;
  const body = '{"id":820982911946154508,"note":"é"}';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
    bodyFile = join(dir, 'body.json');
    await writeFile(bodyFile, body);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const scheme of VERIFICATION_SCHEMES) {
    it(`sign --scheme ${scheme} prints headers that verify`, async () => {
      const secret = generateSecret(scheme);
      const config = (
        scheme === 'hmac-sha256'
          ? { scheme, header: 'x-signature', timestampHeader: 'x-timestamp' }
          : { scheme }
      ) as VerificationConfig;
      const extra =
        scheme === 'hmac-sha256' ? ['--header', 'x-signature', '--timestamp-header', 'x-timestamp'] : [];
      const { stdout } = await run(process.execPath, [
        CLI,
        'sign',
        '--scheme',
        scheme,
        '--secret',
        secret,
        '--body',
        bodyFile,
        ...extra,
      ]);
      const headers = Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      const result = verifyWebhook(config, {
        rawBody: Buffer.from(body),
        headers,
        secrets: [secret],
        nowMs: Date.now(),
      });
      assert.equal(result.ok, true, JSON.stringify({ headers, result }));
      const tampered = verifyWebhook(config, {
        rawBody: Buffer.from(body.replace('é', 'e')),
        headers,
        secrets: [secret],
        nowMs: Date.now(),
      });
      assert.equal(tampered.ok, false);
    });
  }

  it('refuses an unknown scheme with a message and a non-zero exit', async () => {
    await assert.rejects(
      run(process.execPath, [CLI, 'sign', '--scheme', 'md5', '--secret', 'x', '--body', bodyFile]),
      (error: Error & { code?: number; stderr?: string }) => {
        assert.equal(error.code, 1);
        assert.match(error.stderr ?? '', /Unknown scheme; use one of hmac-sha256/);
        return true;
      },
    );
  });

  it('lists its commands', async () => {
    const { stdout } = await run(process.execPath, [CLI, '--help']);
    for (const command of ['dev', 'start', 'sign']) assert.match(stdout, new RegExp(`^  ${command}\\b`, 'm'));
  });
});
