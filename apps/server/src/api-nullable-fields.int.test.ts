import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './testing/index.ts';

/**
 * The request schemas coerce types (`coerceTypes: 'array'`), and a coercing `anyOf` tries its branches in
 * order, changing the value as it goes: `[Integer, Null]` read `null` as `0`, `[String, Null]` as `""`.
 * Nullable request fields put `Null` first, so a `null` stays null.
 */
describe('nullable request fields keep null', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ adapter: 'pglite' });
  });
  after(() => t.close());

  it('turns the dead-letter alert off with null (it read null as a threshold of 0)', async () => {
    const { auth } = await t.tenant('Nullable');
    const patch = (value: number | null) =>
      t.app.inject({
        method: 'PATCH',
        url: '/api/v1/tenant',
        headers: auth,
        payload: { dead_letter_alert_threshold: value },
      });
    assert.equal((await patch(5)).json().tenant.dead_letter_alert_threshold, 5);
    const off = await patch(null);
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(off.json().tenant.dead_letter_alert_threshold, null);
  });

  it('creates a tenant with a null reseller and a connection with a null workspace', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: t.admin,
      payload: { name: 'Direct', reseller_id: null },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().tenant.reseller_id, null);
    const { auth } = await t.tenant('No workspace');
    const connection = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'commerce-orders', secret: 'nullable-secret', workspace_id: null },
    });
    assert.equal(connection.statusCode, 201, connection.body);
    assert.equal(connection.json().connection.workspace_id, null);
  });
});
