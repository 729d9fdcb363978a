import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Trigger } from '@sluice/core';
import { STORE_ADAPTERS } from '@sluice/store/testing';
import { startTestApp, type TestApp } from './testing/index.ts';

for (const adapter of STORE_ADAPTERS) {
  describe(`triggers API, run policy (${adapter.name})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ adapter: adapter.name });
    });
    after(() => t.close());

    it('stores retry (defaults filled in), single_flight and the idempotency-key template', async () => {
      const tenant = await t.tenant('Policy');
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/triggers',
        headers: tenant.auth,
        payload: {
          name: 'risk hold',
          event_types: ['order.*'],
          action: { type: 'http', url: 'https://example.test/hold' },
          single_flight: 'latest',
          retry: { max_attempts: 3, initial_delay_ms: 500 },
          idempotency_key: 'order-risk:{entity_key}:hold',
        },
      });
      assert.equal(response.statusCode, 201, response.body);
      const { trigger } = response.json() as { trigger: Trigger };
      assert.equal(trigger.single_flight, 'latest');
      assert.deepEqual(trigger.retry, {
        max_attempts: 3,
        initial_delay_ms: 500,
        max_delay_ms: 3_600_000,
        timeout_ms: 10_000,
      });
      assert.equal(trigger.idempotency_key, 'order-risk:{entity_key}:hold');
      const changed = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/triggers/${trigger.id}`,
        headers: tenant.auth,
        payload: { retry: null, idempotency_key: null, single_flight: 'skip' },
      });
      assert.equal(changed.statusCode, 200, changed.body);
      const after = (changed.json() as { trigger: Trigger }).trigger;
      assert.equal(after.retry, null);
      assert.equal(after.idempotency_key, null);
      assert.equal(after.single_flight, 'skip');
    });

    it('publishes webhook.subscribed when an http trigger is created', async () => {
      const tenant = await t.tenant('Subscribed');
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/triggers',
        headers: tenant.auth,
        payload: {
          name: 'hook',
          event_types: ['order.*'],
          action: { type: 'http', url: 'https://example.test/h' },
        },
      });
      assert.equal(response.statusCode, 201, response.body);
      const { trigger } = response.json() as { trigger: Trigger };
      const page = await t.store.events.query(
        tenant.tenant.id,
        { event_type: 'webhook.subscribed' },
        { limit: 10 },
      );
      assert.equal(page.items.length, 1);
      assert.equal(page.items[0]?.payload['trigger_id'], trigger.id);
      assert.equal(page.items[0]?.payload['url'], 'https://example.test/h');
    });
  });
}
