import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startReceiver, type TestReceiver } from '@sluice/execute/testing';
import { loadConfig } from './config.ts';
import { nextSteps } from './connectors-new-command.ts';
import { ConfigFileError } from './extensions/config-file.ts';
import { scaffoldConnector } from './extensions/connector-scaffold.ts';
import { runReplay } from './replay/replay-command.ts';
import { type RunningServer, startServer } from './server.ts';
import { ownTestRunEnv } from './testing/config.ts';
import { type EmbeddedServer, startEmbeddedServer } from './testing/embedded-server.ts';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../..');
const SECRET = 'acme-webhook-secret';

/**
 * A user's own project outside the repository: `sluice connectors new` scaffolds a connector, a
 * `sluice.config.ts` imports it and an operator from `@sluice/sdk`, and the server serves both with no
 * edit to its source. (`node_modules` is linked in, as an install of Sluice would provide it.)
 */
async function userProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-project-'));
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

const CONFIG = (
  receiverOrigin: string,
) => `import { defineConfig, defineOperator, type Plan } from '@sluice/sdk';
import { acmeOrdersConnector } from './connectors/acme-orders/acme-orders-connector.ts';

// Tells the ops channel about every record change: a plan with one http action, keyed by the event.
const notifyOps = defineOperator({
  name: 'notify-ops',
  run(envelope): Plan {
    return {
      actions: [
        {
          kind: 'http',
          entity_key: \`record:\${String((envelope.payload['entity'] as { id: string }).id)}\`,
          idempotency_key: \`notify-ops:\${envelope.event_id}\`,
          input: { url: '${receiverOrigin}/ops' },
        },
      ],
    };
  },
});

export default defineConfig({ connectors: [acmeOrdersConnector], operators: [notifyOps] });
`;

describe('extending Sluice without forking it: sluice connectors new, sluice.config.ts, @sluice/sdk', () => {
  let project: string;
  let receiver: TestReceiver;
  let embedded: EmbeddedServer;
  let server: RunningServer;
  let auth: Record<string, string>;

  before(async () => {
    project = await userProject();
    receiver = await startReceiver();
  });
  after(async () => {
    await embedded?.close();
    await receiver?.close();
    await rm(project, { recursive: true, force: true });
  });

  it('scaffolds a connector whose own test passes and whose fixture replays twice with nothing new', async () => {
    const dir = join(project, 'connectors', 'acme-orders');
    const written = await scaffoldConnector('acme-orders', dir);
    assert.deepEqual(written.files, [
      'acme-orders-connector.ts',
      'acme-orders-connector.test.ts',
      join('replay', 'acme-orders.json'),
    ]);
    assert.match(
      nextSteps({ id: 'acme-orders', dir, exportName: written.exportName, cwd: project }),
      /import \{ acmeOrdersConnector \} from '\.\/connectors\/acme-orders\/acme-orders-connector\.ts'/,
    );
    const test = await run(
      process.execPath,
      ['--test', '--test-reporter=tap', join(dir, 'acme-orders-connector.test.ts')],
      { cwd: project, env: ownTestRunEnv() },
    );
    assert.match(test.stdout, /# pass 3/);
    assert.match(test.stdout, /# fail 0/);
    await writeFile(join(project, 'sluice.config.ts'), CONFIG(receiver.origin));
    const printed: string[] = [];
    const code = await runReplay(
      join(dir, 'replay', 'acme-orders.json'),
      [],
      { write: (chunk) => printed.push(chunk) },
      { configFile: null, cwd: project },
    );
    const text = printed.join('');
    assert.equal(code, 0, text);
    assert.match(text, /acme-orders: first pass emitted 2, second pass emitted 0 — idempotent/);
    await assert.rejects(scaffoldConnector('acme-orders', dir), /exists; choose another --dir/);
    await assert.rejects(scaffoldConnector('Acme Orders', join(project, 'other')), (error: Error) =>
      /connector_id_format|stable lowercase/.test(`${error.message} ${JSON.stringify(error)}`),
    );
  });

  it('serves the config file’s connector and operator: a signed webhook becomes the operator’s delivery', async () => {
    embedded = await startEmbeddedServer({ SLUICE_DATA_DIR: join(project, '.sluice') }, { cwd: project });
    server = embedded.server;
    const { key } = embedded;
    auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: auth,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const listed = await api('GET', '/api/v1/connectors');
    assert.ok(JSON.stringify(listed.body).includes('"acme-orders"'), 'the config file’s connector is served');
    const created = await api('POST', '/api/v1/connections', { connector_id: 'acme-orders', secret: SECRET });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const connection = (created.body['connection'] as { id: string }).id;
    const trigger = await api('POST', '/api/v1/triggers', {
      name: 'tell ops',
      event_types: ['record.*'],
      action: { type: 'handler', name: 'notify-ops' },
    });
    assert.equal(trigger.status, 201, JSON.stringify(trigger.body));
    const body = JSON.stringify({
      id: 'dlv_e2e_1',
      type: 'record.updated',
      record: { id: 'r-7', updated_at: '2026-02-01T08:00:00.000Z' },
    });
    const forged = await fetch(`${server.url}/api/v1/ingest/${connection}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': '00'.repeat(32) },
      body,
    });
    assert.equal(forged.status, 401, 'the connector’s own verification runs');
    const signed = await fetch(`${server.url}/api/v1/ingest/${connection}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-signature': createHmac('sha256', SECRET).update(body).digest('hex'),
      },
      body,
    });
    const answer = (await signed.json()) as { results: Array<{ event_id: string }> };
    assert.equal(signed.status, 200, JSON.stringify(answer));
    const eventId = answer.results[0]?.event_id;
    const deadline = Date.now() + 20_000;
    while (!receiver.requests.some((r) => r.path === '/ops') && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 50));
    }
    const delivered = receiver.requests.filter((r) => r.path === '/ops');
    assert.equal(delivered.length, 1, 'the operator’s plan ran its http action once');
    assert.equal(delivered[0]?.headers['webhook-id'], `notify-ops:${eventId}`);
    const envelope = JSON.parse(delivered[0]?.body.toString() ?? '{}') as Record<string, unknown>;
    assert.equal(envelope['source'], 'acme-orders');
    assert.equal(envelope['event_type'], 'record.updated');
    assert.equal(envelope['dedupe_key'], 'acme-orders:dlv_e2e_1');
  });

  it('refuses to start on a broken config file, naming the file and every broken rule at once', async () => {
    const broken = join(project, 'broken');
    await mkdir(broken);
    const file = join(broken, 'extensions.ts');
    await writeFile(
      file,
      `export default {
  connectors: [
    { id: 'bad-shop', streams: [{ key: 'Orders', mode: 'webhook', events: ['order'] }] },
    { id: 'stripe', events: { 'charge.done': { kind: 'emit' } } },
  ],
  operators: [{ name: 'Not A Name' }],
  handlers: [],
};
`,
    );
    const data = join(broken, '.sluice');
    const config = loadConfig({ SLUICE_PORT: '0', SLUICE_DATA_DIR: data, SLUICE_CONFIG: file });
    const error = await startServer(config, { cwd: project }).then(
      () => assert.fail('started with a broken config file'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof ConfigFileError, String(error));
    assert.ok(error.message.startsWith(`${join('broken', 'extensions.ts')}: `), error.message);
    assert.deepEqual(
      error.problems.map((p) => `${p.path} ${p.rule}`),
      [
        'handlers config_key_unknown',
        'connectors[0] stream_key_format',
        'connectors[0] event_type_format',
        'connectors[0] webhook_verify_missing',
        'connectors[0] map_missing',
        'connectors[1] connector_id_unique',
        'operators[0] operator_name_format',
        'operators[0] operator_run_type',
      ],
    );
    assert.match(error.message, /connectors\[0\]: connector "bad-shop" stream "Orders"/);
    assert.equal(
      (await readdir(broken)).includes('.sluice'),
      false,
      'nothing was opened or written before the check',
    );
    const missing = loadConfig({ SLUICE_PORT: '0', SLUICE_DATA_DIR: data, SLUICE_CONFIG: 'nope.config.ts' });
    await assert.rejects(startServer(missing, { cwd: project }), /nope\.config\.ts: [\s\S]*does not exist/);
  });
});
