import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './testing/index.ts';

describe('an unknown connector', () => {
  let t: TestApp;
  let tenantId: string;
  let auth: { authorization: string };
  before(async () => {
    t = await startTestApp();
    const made = await t.tenant();
    tenantId = made.tenant.id;
    auth = made.auth;
  });
  after(() => t.close());

  it('is named with the near registered ids on the webhook route', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/strpe/${tenantId}`,
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, 'connector_not_found');
    assert.match(response.json().error.message, /"strpe".*Did you mean "stripe"\?/);
  });

  it('is named with the near registered ids when a connection is created', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'gihtub', name: 'typo' },
    });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, 'connector_not_found');
    assert.match(response.json().error.message, /Did you mean "github"\?/);
  });

  it('suggests nothing when no registered id is near, and never the platform connector', async () => {
    for (const id of ['salesforce', 'sluic']) {
      const response = await t.app.inject({
        method: 'POST',
        url: `/api/v1/webhooks/${id}/${tenantId}`,
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
      assert.equal(response.statusCode, 404);
      assert.doesNotMatch(response.json().error.message, /Did you mean/);
    }
  });
});
