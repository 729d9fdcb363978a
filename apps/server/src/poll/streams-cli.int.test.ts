import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runStreams } from '../streams-command.ts';
import { startTestApp, type TestApp } from '../testing/index.ts';

describe('sluice streams', () => {
  let t: TestApp;
  let url: string;
  let key: string;

  before(async () => {
    t = await startTestApp();
    const { auth } = await t.tenant('Cli');
    key = auth.authorization.slice('Bearer '.length);
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
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => t.close());

  it('prints the tenant streams as a table through the API', async () => {
    let out = '';
    const code = await runStreams({ url, apiKey: key }, (text) => {
      out += text;
    });
    assert.equal(code, 0);
    const [header, row] = out.split('\n');
    assert.match(header ?? '', /^CONNECTION\s+STREAM\s+STATUS\s+SCHEDULE\s+INTERVAL\s+NEXT RUN/);
    assert.match(row ?? '', /con_\w+\s+snapshot\s+ok\s+\*\/5 \* \* \* \*/);
    assert.match(out, /snapshot: cron schedule/);
  });

  it('says what the API refused', async () => {
    const lines: string[] = [];
    const write = (text: string): void => {
      lines.push(text);
    };
    assert.equal(await runStreams({ url, apiKey: 'wrong' }, write), 1);
    assert.match(lines.join(''), /answered 401/);
    assert.equal(await runStreams({ url, apiKey: key, status: 'sleepy' }, write), 1);
    assert.match(lines.join(''), /answered 400/);
  });
});
