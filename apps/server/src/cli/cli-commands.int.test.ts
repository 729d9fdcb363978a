import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exampleConnectors } from '@sluice/connectors';
import { BIN, type CliRun, closedPort, jsonOf, runCli } from '../testing/cli-runner.ts';
import { killHard, type ServerProcess, startServerProcess } from '../testing/server-process.ts';
import { examplesOf } from './examples.ts';

/** An ANSI escape (colour), which output to a pipe never carries. */
const hasAnsi = (text: string): boolean => text.includes('\u001b[');

/** Waits up to 20 s for `check` to hold, trying every 200 ms. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const ok = (run: CliRun): CliRun => {
  assert.equal(run.code, 0, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
  return run;
};

describe('the sluice CLI against a running server', () => {
  let server: ServerProcess;
  let dir: string;
  let env: Record<string, string>;
  let key: string;
  let target: http.Server;
  let targetUrl: string;
  const hits: string[] = [];
  const connections = new Map<string, string>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-cli-commands-'));
    target = http.createServer((request, response) => {
      hits.push(request.url ?? '/');
      request.resume();
      request.on('end', () => response.writeHead(request.url === '/fail' ? 500 : 200).end());
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    // A loaded machine can take long to start a server; the tests then share it.
    server = await startServerProcess(
      { SLUICE_DATA_DIR: join(dir, 'data'), SLUICE_DEV: '1', SLUICE_ALLOW_PRIVATE_TARGETS: '1' },
      120_000,
    );
    key = /(slk_[A-Za-z0-9_-]+)/.exec(server.output)?.[1] ?? '';
    env = { SLUICE_URL: server.url, SLUICE_API_KEY: key, SLUICE_PROFILES_FILE: join(dir, 'profiles.json') };
  });
  after(async () => {
    if (server !== undefined) await killHard(server.child);
    target.closeAllConnections();
    await new Promise((resolve) => target.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('prints its version, and fails clearly without an API key', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    const [version, keyless] = await Promise.all([
      runCli(['--version']),
      runCli(['connections', 'list'], { ...env, SLUICE_API_KEY: '' }),
    ]);
    assert.equal(ok(version).stdout.trim(), pkg.version);
    assert.equal(keyless.code, 1);
    assert.match(keyless.stderr, /No API key: give --api-key, set SLUICE_API_KEY, or save a profile/);
  });

  it('migrates a store, and refuses an embedded one a server holds', async () => {
    const [fresh, held] = await Promise.all([
      runCli(['migrate', '--json'], { SLUICE_DATA_DIR: join(dir, 'fresh'), SLUICE_DATABASE_URL: '' }),
      runCli(['migrate'], { SLUICE_DATA_DIR: join(dir, 'data'), SLUICE_DATABASE_URL: '' }),
    ]);
    assert.deepEqual(jsonOf(ok(fresh)), { migrated: true });
    assert.equal(held.code, 1);
    assert.match(held.stderr, /Stop the server first: the embedded store is one process’s\./);
  });

  it('names the API error, its status and hint, and exits 1 (as JSON with --json)', async () => {
    const port = await closedPort();
    const [human, json, unreachable] = await Promise.all([
      runCli(['connections', 'get', 'con_nope'], env),
      runCli(['connections', 'get', 'con_nope', '--json'], env),
      runCli(['connections', 'list'], { ...env, SLUICE_URL: `http://127.0.0.1:${port}` }),
    ]);
    assert.equal(human.code, 1);
    assert.match(human.stderr, /^error connection_not_found \(404\): .*con_nope/m);
    assert.match(human.stderr, /^hint: List connections with GET \/api\/v1\/connections\.$/m);
    assert.equal(json.code, 1);
    assert.equal(json.stdout, '');
    const body = JSON.parse(json.stderr) as { error: { code: string; status: number; hint: string } };
    assert.equal(body.error.code, 'connection_not_found');
    assert.equal(body.error.status, 404);
    assert.equal(unreachable.code, 1);
    assert.match(
      unreachable.stderr,
      new RegExp(`unreachable: Cannot reach http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
    );
  });

  it('takes the server and key from a profile, --profile naming another', async () => {
    const profileEnv = { SLUICE_PROFILES_FILE: env['SLUICE_PROFILES_FILE'] as string };
    ok(await runCli(['profile', 'set', 'local', '--url', server.url, '--api-key', key], profileEnv));
    ok(
      await runCli(
        ['profile', 'set', 'broken', '--url', server.url, '--api-key', 'slk_not_a_key'],
        profileEnv,
      ),
    );
    const file = env['SLUICE_PROFILES_FILE'] as string;
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'the profiles file is its owner’s only');
    const listed = ok(await runCli(['profile', 'list'], profileEnv));
    assert.match(listed.stdout, /^local\s+\*\s+http:\/\/127\.0\.0\.1:\d+\s+slk_\S{8}…$/m);
    assert.doesNotMatch(listed.stdout, new RegExp(key), 'a listing never shows the whole key');
    const [byDefault, named, missing] = await Promise.all([
      runCli(['connectors', 'list', '--json'], profileEnv),
      runCli(['connectors', 'list', '--profile', 'broken'], profileEnv),
      runCli(['connectors', 'list', '--profile', 'staging'], profileEnv),
    ]);
    assert.ok(jsonOf<{ items: unknown[] }>(ok(byDefault)).items.length > 0);
    assert.equal(named.code, 1);
    assert.match(named.stderr, /unauthenticated \(401\)/);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No profile "staging" in .*; it has local, broken/);
  });

  it('lists connectors as a table, with no colour on a pipe even when forced', async () => {
    const run = ok(await runCli(['connectors', 'list'], { ...env, FORCE_COLOR: '1', CI: 'true' }));
    const [header] = run.stdout.split('\n');
    assert.match(header ?? '', /^ID\s+VERSION\s+VERIFICATION\s+CLOUDEVENTS\s+STREAMS$/);
    assert.match(run.stdout, /^stripe\s+\S+\s+stripe\s+no\s+.*customers \(poll\)/m);
    assert.equal(hasAnsi(run.stdout), false);
  });

  it(
    'colours a terminal, unless NO_COLOR is set',
    { skip: !existsSync('/usr/bin/script') && 'no script(1)' },
    async () => {
      // script(1) runs the command on a pseudo-terminal, as a shell would.
      const onTty = (extra: Record<string, string>) =>
        runCli([], { ...env, ...extra }, 30_000, [
          '/usr/bin/script',
          '-qec',
          `${process.execPath} ${BIN} connectors list`,
          '/dev/null',
        ]);
      const [coloured, plain] = await Promise.all([onTty({}), onTty({ NO_COLOR: '1' })]);
      assert.ok(
        ok(coloured).stdout.includes('\u001b[1mID\u001b[22m'),
        `a bold header in ${JSON.stringify(coloured.stdout)}`,
      );
      assert.match(ok(plain).stdout, /^ID\s+VERSION/m);
      assert.equal(hasAnsi(plain.stdout), false);
    },
  );

  it('creates, shows, tests, rotates and retires connections', async () => {
    // One connection for each connector that receives webhooks, for the examples below.
    const webhookConnectors = exampleConnectors.filter((c) => c.webhook !== null).map((c) => c.id);
    const created = await Promise.all(
      webhookConnectors.map((id) =>
        runCli(['connections', 'create', id, '--name', `cli ${id}`, '--json'], env),
      ),
    );
    for (const [index, run] of created.entries()) {
      const body = jsonOf<{ connection: { id: string; connector_id: string }; secret: string }>(ok(run));
      assert.equal(body.connection.connector_id, webhookConnectors[index]);
      assert.ok(body.secret.length >= 32, 'a generated secret is shown once');
      connections.set(body.connection.connector_id, body.connection.id);
    }
    const stripe = connections.get('stripe') as string;
    const [table, shown, tested] = await Promise.all([
      runCli(['connections', 'list', '--connector', 'stripe'], env),
      runCli(['connections', 'get', stripe], env),
      runCli(['connections', 'test', connections.get('github') as string], env),
    ]);
    assert.match(ok(table).stdout, new RegExp(`^${stripe}\\s+stripe\\s+cli stripe\\s+active\\s`, 'm'));
    assert.match(ok(shown).stdout, new RegExp(`^ingest url\\s+http://\\S+/api/v1/ingest/${stripe}$`, 'm'));
    assert.doesNotMatch(shown.stdout, /secret/i);
    assert.match(ok(tested).stdout, /^ok: con_\w+: /);

    const throwaway = jsonOf<{ connection: { id: string } }>(
      ok(await runCli(['connections', 'create', 'github', '--secret', 'a-secret-of-mine', '--json'], env)),
    ).connection.id;
    const rotated = ok(await runCli(['connections', 'rotate', throwaway, '--overlap', '0'], env));
    assert.match(rotated.stdout, /^Rotated the secret of con_\w+; the previous one verifies until /);
    assert.match(rotated.stdout, /New signing secret \(shown once, keep it\):\n\n {2}[0-9a-f]{64}\n/);
    assert.match(ok(await runCli(['connections', 'retire', throwaway], env)).stdout, /^Retired con_\w+ at /);
    const retired = jsonOf<{ items: Array<{ id: string }> }>(
      ok(await runCli(['connections', 'list', '--status', 'retired', '--json'], env)),
    );
    assert.deepEqual(
      retired.items.map((c) => c.id),
      [throwaway],
    );
  });

  it('creates triggers, listing every broken rule of a bad one, then disables, enables and deletes', async () => {
    const bad = await runCli(['triggers', 'create', '--name', 'bad', '--event-type', 'order..x'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error trigger_invalid \(422\)/);
    assert.match(bad.stderr, /^ {2}- event_types\[0\]: /m);
    assert.match(bad.stderr, /^ {2}- action: /m);

    const made = jsonOf<{ trigger: { id: string; enabled: boolean } }>(
      ok(
        await runCli(
          [
            'triggers',
            'create',
            '--name',
            'charges to the target',
            '--event-type',
            'charge.*',
            '--condition',
            'source eq "stripe"',
            '--action',
            JSON.stringify({ type: 'http', url: `${targetUrl}/ok`, secret: `whsec_${'A'.repeat(32)}` }),
            '--json',
          ],
          env,
        ),
      ),
    ).trigger;
    assert.equal(made.enabled, true);
    assert.match(
      ok(await runCli(['triggers', 'disable', made.id], env)).stdout,
      /^Disabled trg_\w+ \(charges/,
    );
    const listed = ok(await runCli(['triggers', 'list', '--enabled', 'false'], env));
    assert.match(
      listed.stdout,
      new RegExp(
        `^${made.id}\\s+charges to the target\\s+no\\s+charge\\.\\*\\s+-\\s+http ${targetUrl}/ok$`,
        'm',
      ),
    );
    ok(await runCli(['triggers', 'enable', made.id], env));
    const shown = ok(await runCli(['triggers', 'get', made.id], env));
    assert.match(shown.stdout, /^enabled\s+yes$/m);
    assert.match(shown.stdout, /^condition\s+source eq "stripe"$/m);

    const doomed = jsonOf<{ trigger: { id: string } }>(
      ok(
        await runCli(
          ['triggers', 'create', '--name', 'doomed', '--event-type', 'x.y', '--handler', 'noop', '--json'],
          env,
        ),
      ),
    ).trigger.id;
    assert.equal(ok(await runCli(['triggers', 'delete', doomed], env)).stdout, `Deleted ${doomed}.\n`);
    const gone = await runCli(['triggers', 'get', doomed], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /trigger_not_found \(404\)/);
  });

  it('lists every connector’s examples, and sends each webhook connector’s, signed, to its connection', async () => {
    for (const connector of exampleConnectors.filter((c) => c.id !== 'sluice' && c.id !== 'cron')) {
      const { deliveries, pageFixtures } = await examplesOf(connector.id);
      assert.ok(deliveries.length + pageFixtures.length > 0, `${connector.id} ships examples`);
    }
    const listed = ok(await runCli(['trigger', 'commerce-orders']));
    assert.match(
      listed.stdout,
      /^Examples of commerce-orders:\n {2}orders-create\s+orders\/create\n {2}orders-updated/,
    );
    const mqtt = await runCli(['trigger', 'mqtt', 'zone-12-temperature'], env);
    assert.equal(mqtt.code, 1);
    assert.match(mqtt.stderr, /receives no webhooks, so its examples cannot be sent; replay them with/);

    // Server-signed (the connection's own secret, never seen here), one example of each connector.
    const sent = await Promise.all(
      [...connections.keys()].map(async (connector) => {
        const [first] = (await examplesOf(connector)).deliveries;
        assert.ok(first !== undefined, `${connector} has an example delivery`);
        return { connector, run: await runCli(['trigger', connector, first.slug, '--json'], env) };
      }),
    );
    for (const { connector, run } of sent) {
      const body = jsonOf<{ status: string; accepted: number; connection_id: string }>(ok(run));
      assert.equal(body.status, 'ok', `${connector}: ${run.stdout}`);
      assert.ok(body.accepted >= 1, `${connector} stored its example`);
      assert.equal(body.connection_id, connections.get(connector));
    }
    // Signed here with a secret given, straight to the ingest URL; a wrong secret is refused.
    const own = jsonOf<{ connection: { id: string } }>(
      ok(
        await runCli(
          ['connections', 'create', 'commerce-orders', '--secret', 'shpss_cli_secret_1', '--json'],
          env,
        ),
      ),
    ).connection.id;
    const [signed, forged] = await Promise.all([
      runCli(
        [
          'trigger',
          'commerce-orders',
          'orders/updated',
          '--connection',
          own,
          '--secret',
          'shpss_cli_secret_1',
        ],
        {
          ...env,
          SLUICE_API_KEY: '',
        },
      ),
      runCli(
        ['trigger', 'commerce-orders', 'orders-create', '--connection', own, '--secret', 'not-the-secret'],
        env,
      ),
    ]);
    assert.match(
      ok(signed).stdout,
      new RegExp(
        `^sent orders/updated to ${own}: 1 accepted, 0 duplicates\\n {2}accepted\\s+[0-9a-f-]{36}$`,
        'm',
      ),
    );
    assert.equal(forged.code, 1);
    assert.match(forged.stderr, /signature_invalid \(401\)/);
  });

  it('shows an event, and the job its trigger made with its attempts', async () => {
    const job = await eventually('a succeeded job', async () => {
      const body = jsonOf<{ items: Array<{ id: string; status: string; event_id: string }> }>(
        ok(await runCli(['jobs', 'list', '--status', 'succeeded', '--json'], env)),
      );
      return body.items[0];
    });
    assert.ok(hits.includes('/ok'));
    const [event, shown, table] = await Promise.all([
      runCli(['events', 'get', job.event_id], env),
      runCli(['jobs', 'show', job.id], env),
      runCli(['jobs', 'list'], env),
    ]);
    assert.match(ok(event).stdout, new RegExp(`^event id\\s+${job.event_id}$`, 'm'));
    assert.match(event.stdout, /^type\s+charge\.succeeded$/m);
    assert.match(event.stdout, /^\{\n {2}"/m, 'then the payload as JSON');
    assert.match(ok(shown).stdout, /^status\s+succeeded$/m);
    assert.match(shown.stdout, /^1\s+\S+\s+200\s+\d+ ms$/m);
    assert.match(
      ok(table).stdout,
      new RegExp(`^${job.id}\\s+succeeded\\s+trg_\\w+\\s+${job.event_id}\\s`, 'm'),
    );
    const missing = await runCli(['events', 'get', '01a2b3c4-0000-7000-8000-000000000000'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /event_not_found \(404\)/);
  });

  it('lists, shows, dry-runs, replays and purges dead letters', async () => {
    const trigger = jsonOf<{ trigger: { id: string } }>(
      ok(
        await runCli(
          [
            'triggers',
            'create',
            '--file',
            JSON.stringify({
              name: 'failing',
              event_types: ['customer.updated'],
              action: { type: 'http', url: `${targetUrl}/fail` },
              retry: { max_attempts: 1 },
            }),
            '--json',
          ],
          env,
        ),
      ),
    ).trigger.id;
    ok(await runCli(['trigger', 'stripe', 'customer.updated', '--json'], env));
    const dead = await eventually('a job dead letter', async () => {
      const body = jsonOf<{ items: Array<{ id: string; status: string }> }>(
        ok(await runCli(['dlq', 'list', '--kind', 'job', '--trigger', trigger, '--json'], env)),
      );
      return body.items.find((d) => d.status === 'pending');
    });
    const [table, shown, dry] = await Promise.all([
      runCli(['dlq', 'list', '--kind', 'job'], env),
      runCli(['dlq', 'show', dead.id], env),
      runCli(['dlq', 'replay', '--filter', `kind=job,trigger=${trigger}`, '--dry-run', '--json'], env),
    ]);
    assert.match(ok(table).stdout, new RegExp(`^${dead.id}\\s+job\\s+pending\\s+stripe\\s+0\\s`, 'm'));
    assert.match(ok(shown).stdout, /^kind\s+job$/m);
    assert.deepEqual(jsonOf(ok(dry)), { dry_run: true, count: 1 });

    const replayed = ok(await runCli(['dlq', 'replay', '--filter', `trigger=${trigger}`], env));
    assert.equal(replayed.stdout, 'Replayed 1, failed 0.\n');
    const again = await runCli(['dlq', 'replay', dead.id], env);
    assert.ok(again.code === 1 || again.code === 0, again.stderr);
    if (again.code === 1)
      assert.match(again.stderr, /conflict \(409\)/, 'a replayed dead letter is not replayed twice');

    const bad = await runCli(['dlq', 'replay', '--filter', 'colour=red'], env);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /--filter "colour=red": use key=value with a key of kind, connector, since, until, trigger_id/,
    );

    const purged = ok(await runCli(['dlq', 'purge', dead.id, '--json'], env));
    assert.deepEqual(jsonOf(purged), { purged: [dead.id] });
    const gone = await runCli(['dlq', 'show', dead.id], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /dead_letter_not_found \(404\)/);
    const dryPurge = jsonOf<{ count: number }>(
      ok(await runCli(['dlq', 'purge', '--filter', `trigger=${trigger}`, '--dry-run', '--json'], env)),
    );
    assert.equal(dryPurge.count, 0);
  });
});
