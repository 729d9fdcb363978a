import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './testing/index.ts';

/** The `src` and `href` attributes of an HTML page. */
const linksOf = (html: string) =>
  [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');

describe('interactive API docs at /docs', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  for (const page of ['/docs', '/docs/']) {
    it(`${page} answers HTML whose assets are all served here`, async () => {
      const response = await t.app.inject({ url: page });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/html/);
      assert.match(response.body, /<title>Sluice API<\/title>/);
      assert.doesNotMatch(response.body, /(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i, 'no external URL');
      const links = linksOf(response.body);
      assert.ok(links.some((link) => link.endsWith('swagger-ui-bundle.js')));
      for (const link of links) {
        const url = new URL(link, `http://docs.test${page}`).pathname;
        const asset = await t.app.inject({ url });
        assert.equal(asset.statusCode, 200, url);
        assert.ok(asset.rawPayload.length > 0, url);
      }
    });
  }

  it('loads the document from this server, with no online validator', async () => {
    const initializer = await t.app.inject({ url: '/docs/static/swagger-initializer.js' });
    assert.equal(initializer.statusCode, 200);
    assert.match(initializer.body, /resolveUrl\('\.\/json'\)/);
    assert.match(initializer.body, /"validatorUrl":null/);
    const served = await t.app.inject({ url: '/docs/json' });
    assert.equal(served.statusCode, 200);
    const document = await t.app.inject({ url: '/openapi.json' });
    assert.deepEqual(served.json(), document.json());
  });
});
