import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { exampleConnectors } from '@sluice/connectors';
import { startTestApp, type TestApp } from './testing/index.ts';

const run = promisify(execFile);
const CLI = new URL('./cli.ts', import.meta.url).pathname;

const CLOUDEVENT = JSON.stringify({
  specversion: '1.0',
  id: 'sign-1',
  source: 'urn:shop:1',
  type: 'order.created',
  datacontenttype: 'application/json',
  data: { entity: { kind: 'order', id: '1' } },
});

describe('sluice sign --connector', () => {
  let t: TestApp;
  let auth: { authorization: string };
  let dir: string;
  before(async () => {
    t = await startTestApp();
    ({ auth } = await t.tenant());
    dir = await mkdtemp(join(tmpdir(), 'sluice-sign-'));
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const connector of exampleConnectors.filter((c) => c.webhook !== null)) {
    it(`signs the way ${connector.id} verifies: its ingest URL accepts the headers`, async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers: auth,
        payload: { connector_id: connector.id, name: `sign ${connector.id}` },
      });
      assert.equal(created.statusCode, 201, created.body);
      const { connection, secret } = created.json();
      const body = connector.webhook?.cloudevents === true ? CLOUDEVENT : '{"id":1,"note":"é"}';
      const bodyFile = join(dir, `${connector.id}.json`);
      await writeFile(bodyFile, body);
      const { stdout } = await run(process.execPath, [
        CLI,
        'sign',
        '--connector',
        connector.id,
        '--secret',
        secret,
        '--body',
        bodyFile,
      ]);
      const headers = Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      const contentType =
        connector.webhook?.cloudevents === true ? 'application/cloudevents+json' : 'application/json';
      const delivered = await t.app.inject({
        method: 'POST',
        url: `/api/v1/ingest/${connection.id}`,
        headers: { ...headers, 'content-type': contentType },
        payload: body,
      });
      // Verified: either mapped (200) or kept as a dead letter because the body is not this source's (202).
      assert.ok([200, 202].includes(delivered.statusCode), `${delivered.statusCode} ${delivered.body}`);
    });
  }

  it('names the near connector when the id is wrong', async () => {
    await assert.rejects(
      run(process.execPath, [CLI, 'sign', '--connector', 'cloudevent', '--secret', 'x', '--body', '-']),
      (error: { stderr?: string }) => /Did you mean "cloudevents"\?/.test(String(error.stderr)),
    );
  });
});
