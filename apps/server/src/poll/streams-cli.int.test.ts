import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../testing/cli-runner.ts';
import { startTestApp, type TestApp } from '../testing/index.ts';

describe('sluice streams', () => {
  let t: TestApp;
  let env: Record<string, string>;

  before(async () => {
    t = await startTestApp();
    const { auth } = await t.tenant('Cli');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: {
        connector_id: 'http-poll',
        config: {
          url: 'http://127.0.0.1:1/items',
          id_field: 'id',
          streams: { snapshot: { schedule: '*/5 * * * *', min_interval: '1m', max_interval: '1h' } },
        },
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    env = {
      SLUICE_URL: url,
      SLUICE_API_KEY: auth.authorization.slice('Bearer '.length),
      SLUICE_PROFILES_FILE: '/nonexistent/sluice-profiles.json',
    };
  });
  after(() => t.close());

  it('prints the tenant streams as a table through the API', async () => {
    const run = await runCli(['streams'], env);
    assert.equal(run.code, 0, run.stderr);
    const [header, row] = run.stdout.split('\n');
    assert.match(header ?? '', /^CONNECTION\s+STREAM\s+STATUS\s+SCHEDULE\s+INTERVAL\s+NEXT RUN/);
    assert.match(row ?? '', /con_\w+\s+snapshot\s+ok\s+\*\/5 \* \* \* \*/);
    assert.match(run.stdout, /snapshot: cron schedule/);
  });

  it('says what the API refused, with a non-zero exit', async () => {
    const refused = await runCli(['streams'], { ...env, SLUICE_API_KEY: 'slk_wrong_key' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /unauthenticated \(401\)/);
    const unknown = await runCli(['streams', '--status', 'sleepy'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Use one of ok, failing, rate_limited, paused/);
  });
});
