import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiDeclaration } from '@sluice/core';
import { isApiCallError } from '@sluice/map';
import { answer, startReceiver, type TestReceiver } from '../testing/index.ts';
import { buildApiClient } from './api-client.ts';
import { ApiHttp } from './api-http.ts';

const api: ApiDeclaration = {
  version: '2022-11-28',
  baseUrlConfigKey: 'base_url',
  auth: { type: 'bearer', configKey: 'token' },
  versionHeader: 'X-Api-Version',
  headers: { Accept: 'application/vnd.test+json' },
};

let provider: TestReceiver;
let http: ApiHttp;

before(async () => {
  provider = await startReceiver(answer(200, { 'content-type': 'application/json' }, '{"ok":true}'));
  http = new ApiHttp({ allowPrivate: true, maxResponseBytes: 64 });
});
after(async () => {
  http.close();
  await provider.close();
});

const client = (config: Record<string, unknown>) => {
  const built = buildApiClient({
    api,
    config,
    http,
    idempotencyKey: 'idem-9',
    timeoutMs: 2_000,
    signal: new AbortController().signal,
  });
  assert.ok(built.ok, built.ok ? '' : built.error);
  return built.value;
};

describe('the API client', () => {
  it("joins the base path, sends the query, and a request's headers cannot replace the credential or the key", async () => {
    const built = client({ base_url: `${provider.origin}/base/`, token: 'tok' });
    const before = provider.requests.length;
    const response = await built.client.request({
      method: 'GET',
      path: 'items',
      query: { page: '2', q: 'a b' },
      headers: { Authorization: 'Bearer forged', 'Idempotency-Key': 'other', 'X-Trace': 't1' },
    });
    assert.deepEqual(response.body, { ok: true });
    const request = provider.requests[before];
    assert.equal(request?.path, '/base/items?page=2&q=a+b');
    assert.equal(request?.headers['authorization'], 'Bearer tok');
    assert.equal(request?.headers['idempotency-key'], 'idem-9');
    assert.equal(request?.headers['x-trace'], 't1');
    assert.equal(request?.headers['x-api-version'], '2022-11-28');
    assert.equal(request?.headers['accept'], 'application/vnd.test+json');
    assert.equal(request?.headers['content-length'], undefined);
    assert.deepEqual(built.calls(), { count: 1, lastStatus: 200, latencyMs: built.calls().latencyMs });
  });

  it('a 2xx answer larger than the limit fails the call; a text answer comes back as text', async () => {
    const built = client({ base_url: provider.origin, token: 'tok' });
    provider.handle(answer(200, { 'content-type': 'text/plain' }, 'x'.repeat(100)));
    await assert.rejects(built.client.request({ method: 'GET', path: '/big' }), (error: unknown) => {
      assert.ok(isApiCallError(error));
      assert.equal(error.failure.kind, 'failed');
      assert.match(error.failure.error, /larger than 64 bytes/);
      return true;
    });
    provider.handle(answer(200, {}, 'plain'));
    assert.equal((await built.client.request({ method: 'GET', path: '/text' })).body, 'plain');
  });

  it('a config without the base URL or the credential makes no client', () => {
    const build = (config: Record<string, unknown>) =>
      buildApiClient({
        api,
        config,
        http,
        idempotencyKey: 'k',
        timeoutMs: 100,
        signal: new AbortController().signal,
      });
    const noUrl = build({ token: 'tok' });
    assert.ok(!noUrl.ok);
    assert.match(noUrl.error, /no usable "base_url"/);
    const badUrl = build({ base_url: 'not a url', token: 'tok' });
    assert.ok(!badUrl.ok);
    const noToken = build({ base_url: provider.origin });
    assert.ok(!noToken.ok);
    assert.match(noToken.error, /no "token" credential/);
  });
});
