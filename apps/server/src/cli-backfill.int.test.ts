import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { childEnv } from './testing/config.ts';
import { type FakeStripe, fakeCustomers, startFakeStripe } from './testing/fake-stripe.ts';
import { killHard, type ServerProcess, startServerProcess } from './testing/server-process.ts';

const run = promisify(execFile);
const CLI = new URL('./cli.ts', import.meta.url).pathname;

describe('sluice connectors backfill', () => {
  let stripe: FakeStripe;
  let server: ServerProcess;
  let dataDir: string;
  let key: string;
  let connectionId: string;

  before(async () => {
    stripe = await startFakeStripe(fakeCustomers(7));
    dataDir = await mkdtemp(join(tmpdir(), 'sluice-cli-backfill-'));
    server = await startServerProcess({
      SLUICE_DATA_DIR: dataDir,
      SLUICE_DEV: '1',
      SLUICE_ALLOW_PRIVATE_TARGETS: '1', // the fake Stripe is on loopback
    });
    key = /(slk_[A-Za-z0-9_-]+)/.exec(server.output)?.[1] ?? '';
    const created = await fetch(`${server.url}/api/v1/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        connector_id: 'stripe',
        secret: 'whsec_cli_test_secret',
        config: {
          api_key: 'sk_test_cli',
          api_base: stripe.url,
          page_size: 3,
          // The customers stream polls every quarter hour by default: a poll just before the first backfill
          // left it nothing new (a run that crossed 17:30 failed so). Only at Feb 29's midnight here.
          streams: { customers: { schedule: '0 0 29 2 *' } },
        },
      }),
    });
    connectionId = ((await created.json()) as { connection: { id: string } }).connection.id;
  });
  after(async () => {
    await killHard(server.child);
    await stripe.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const backfill = (mode: string, extra: Record<string, string> = {}) =>
    run(
      process.execPath,
      [
        CLI,
        'connectors',
        'backfill',
        'stripe',
        '--connection',
        connectionId,
        '--stream',
        'customers',
        '--since',
        '2025-12-31',
        '--mode',
        mode,
      ],
      { env: childEnv({ SLUICE_URL: server.url, SLUICE_API_KEY: key, ...extra }) },
    );

  it('prints the counts and what quiet mode did; a second run emits 0', async () => {
    const first = await backfill('quiet');
    const lines = first.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^backfill bfl_\w+: stripe customers since 2025-12-31 \(quiet\)$/);
    assert.deepEqual(lines.slice(-2), [
      'fetched 7 records · emitted 7 envelopes (dedupe skipped 0)',
      'quiet mode: 7 envelopes stored and queryable, none routed to triggers',
    ]);
    const second = await backfill('live');
    assert.deepEqual(second.stdout.trim().split('\n').slice(-2), [
      'fetched 7 records · emitted 0 envelopes (dedupe skipped 7)',
      'live mode: 0 envelopes routed to triggers at P4 (backfill priority)',
    ]);
  });

  it('fails with the API error for a stream that is not polled, and without a key', async () => {
    await assert.rejects(
      run(
        process.execPath,
        [
          CLI,
          'connectors',
          'backfill',
          'stripe',
          '--connection',
          connectionId,
          '--stream',
          'events',
          '--since',
          '2026-01-01',
          '--mode',
          'quiet',
        ],
        {
          env: childEnv({ SLUICE_URL: server.url, SLUICE_API_KEY: key }),
        },
      ),
      (error: { stderr: string }) => /stream_not_pollable/.test(error.stderr),
    );
    await assert.rejects(
      run(
        process.execPath,
        [
          CLI,
          'connectors',
          'backfill',
          'stripe',
          '--connection',
          connectionId,
          '--stream',
          'customers',
          '--since',
          '2026-01-01',
          '--mode',
          'quiet',
        ],
        {
          env: childEnv({ SLUICE_URL: server.url, SLUICE_API_KEY: '' }),
        },
      ),
      (error: { stderr: string }) => /SLUICE_API_KEY/.test(error.stderr),
    );
  });
});
