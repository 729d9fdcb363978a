import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { exampleConnectors } from '@sluice/connectors';
import { defineConnector } from '@sluice/map';
import { parseReplayFixture } from './replay-fixture.ts';
import { replayTwice } from './replay-twice.ts';

const run = promisify(execFile);
const CLI = new URL('../cli.ts', import.meta.url).pathname;
const FIXTURES = new URL('../../../../packages/connectors/replay/', import.meta.url).pathname;

/** A connector whose dedupe key holds its own fetch time: every replay looks new. */
const fetchStamped = defineConnector({
  id: 'fetch-stamped',
  streams: [{ key: 'events', mode: 'webhook', events: ['ticket.updated'] }],
  webhook: { verify: { scheme: 'hmac-sha256', header: 'x-signature' } },
  map: (input) => {
    const body = input.body as { id: string };
    return {
      source: 'fetch-stamped',
      event_type: 'ticket.updated',
      dedupe_key: `ticket:${body.id}:updated:${new Date().toISOString()}`,
      payload: { entity: { kind: 'ticket', id: body.id } },
    };
  },
});

describe('sluice dev replay --twice', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-replay-test-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('passes the fixture of every shipped connector', async () => {
    const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.json'));
    const covered = new Set<string>();
    for (const file of files) {
      const fixture = parseReplayFixture(JSON.parse(await readFile(join(FIXTURES, file), 'utf8')));
      const report = await replayTwice(fixture, exampleConnectors);
      assert.ok(report.first > 0, `${file}: the first pass emitted something`);
      assert.equal(report.second, 0, `${file}: ${JSON.stringify(report.offenders)}`);
      covered.add(fixture.connector);
    }
    assert.deepEqual([...covered].sort(), exampleConnectors.map((c) => c.id).sort());
  });

  it('fails a connector whose dedupe key uses its own timestamp, naming the payloads', async () => {
    const fixture = parseReplayFixture({
      connector: 'fetch-stamped',
      deliveries: [
        { name: 'ticket 1', headers: {}, body: { id: 't1' } },
        { name: 'ticket 2', headers: {}, body: { id: 't2' } },
      ],
    });
    const report = await replayTwice(fixture, [fetchStamped]);
    assert.equal(report.first, 2);
    assert.equal(report.second, 2);
    assert.deepEqual(
      report.offenders.map((o) => o.payload),
      ['ticket 1', 'ticket 2'],
    );
    assert.match(report.offenders[0]?.emitted[0]?.dedupe_key ?? '', /^ticket:t1:updated:\d{4}-/);
  });

  it('runs from the CLI: 0 for a shipped fixture; a payload the mapping refuses fails, named', async () => {
    const ok = await run(process.execPath, [
      CLI,
      'dev',
      'replay',
      '--twice',
      join(FIXTURES, 'stripe-webhooks.json'),
    ]);
    assert.match(ok.stdout, /stripe: first pass emitted 2, second pass emitted 0/);
    const bad = join(dir, 'bad.json');
    // A payload the mapping cannot handle stops the replay, named.
    await writeFile(
      bad,
      JSON.stringify({ connector: 'github', deliveries: [{ name: 'headless', body: {} }] }),
    );
    await assert.rejects(
      run(process.execPath, [CLI, 'dev', 'replay', '--twice', bad]),
      (error: { stderr: string }) => /headless/.test(error.stderr),
    );
  });
});
