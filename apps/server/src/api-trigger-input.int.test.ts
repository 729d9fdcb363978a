import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { TriggerInput } from './routes/trigger-routes.ts';
import { startTestApp, type TestApp } from './testing/index.ts';

/**
 * The trigger body the document shows (`TriggerInput`) is not what validates requests (the workflows
 * check the body whole), so this holds the two together: what the document accepts, the API creates,
 * and what it refuses, the API refuses too.
 */
describe('the documented trigger body', () => {
  const documented = TypeCompiler.Compile(TriggerInput);
  let t: TestApp;
  let auth: { authorization: string };
  before(async () => {
    t = await startTestApp();
    ({ auth } = await t.tenant());
  });
  after(() => t.close());

  const create = (payload: unknown) =>
    t.app.inject({ method: 'POST', url: '/api/v1/triggers', headers: auth, payload: payload as object });

  const accepted = [
    {
      name: 'text condition',
      event_types: ['order.*'],
      action: { type: 'http', url: 'https://example.test/a' },
    },
    {
      name: 'every field',
      event_types: ['order.created', '*.paid'],
      condition: {
        all: [
          { path: 'payload.total', op: 'gt', value: 100 },
          { path: 'payload.status', op: 'eq', value: 'paid' },
        ],
      },
      priority: 'P1',
      action: {
        type: 'http',
        url: 'https://example.test/b',
        format: 'cloudevents',
        headers: { 'x-team': 'ops' },
      },
      enabled: false,
      single_flight: 'latest',
      retry: { max_attempts: 3, timeout_ms: 5000 },
      idempotency_key: 'risk:{entity_key}',
    },
    {
      name: 'text and nulls',
      event_types: ['*'],
      condition: 'payload.total gt 100',
      priority: null,
      retry: null,
      idempotency_key: null,
      action: { type: 'http', url: 'https://example.test/c' },
    },
  ];
  for (const body of accepted) {
    it(`documents and creates: ${body.name}`, async () => {
      assert.ok(documented.Check(body), JSON.stringify([...documented.Errors(body)][0]));
      const response = await create(body);
      assert.equal(response.statusCode, 201, response.body);
    });
  }

  const refused: Array<[string, unknown]> = [
    ['an unknown field', { ...accepted[0], colour: 'red' }],
    ['event types as a string', { ...accepted[0], event_types: 'order.*' }],
    ['an unknown priority', { ...accepted[0], priority: 'P9' }],
    ['an unknown action type', { ...accepted[0], action: { type: 'email', to: 'a@example.test' } }],
    ['a name too long', { ...accepted[0], name: 'x'.repeat(201) }],
  ];
  for (const [what, body] of refused) {
    it(`refuses in the document and the API: ${what}`, async () => {
      assert.equal(documented.Check(body), false);
      const response = await create(body);
      assert.equal(response.statusCode, 422, response.body);
    });
  }
});
