import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { SubscriptionInput } from './routes/subscription-routes.ts';
import { TriggerInput } from './routes/trigger-routes.ts';
import { startTestApp, type TestApp } from './testing/index.ts';

const trigger = {
  name: 'orders',
  event_types: ['order.*'],
  action: { type: 'http', url: 'https://example.test/a' },
};
const subscription = { protocol: 'HTTP', sink: 'https://consumer.test/a' };

/** Each documented body: bodies the workflow takes (201) and bodies it refuses (422), both as the document says. */
const CASES: Array<{
  readonly url: string;
  readonly documented: TSchema;
  readonly accepted: Record<string, unknown>;
  readonly refused: Record<string, unknown>;
}> = [
  {
    url: '/api/v1/triggers',
    documented: TriggerInput,
    accepted: {
      'the required fields': trigger,
      'every field': {
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
      'the text condition and nulls': {
        ...trigger,
        condition: 'payload.total gt 100',
        priority: null,
        retry: null,
        idempotency_key: null,
      },
    },
    refused: {
      'an unknown field': { ...trigger, colour: 'red' },
      'event types as a string': { ...trigger, event_types: 'order.*' },
      'an unknown priority': { ...trigger, priority: 'P9' },
      'an unknown action type': { ...trigger, action: { type: 'email', to: 'a@example.test' } },
      'a name too long': { ...trigger, name: 'x'.repeat(201) },
    },
  },
  {
    url: '/api/v1/subscriptions',
    documented: SubscriptionInput,
    accepted: {
      'the required fields': subscription,
      'every field': {
        protocol: 'HTTP',
        sink: 'https://consumer.test/b',
        types: ['order.created', 'order.*'],
        source: 'shop',
        filters: [{ prefix: { subject: 'order:' } }, { not: { exact: { mode: 'quiet' } } }],
        protocolsettings: { method: 'POST', headers: { 'x-team': 'ops' } },
        config: { name: 'orders', enabled: 'false', priority: 'P3' },
      },
    },
    refused: {
      'an unknown field': { ...subscription, colour: 'red' },
      'another protocol': { ...subscription, protocol: 'MQTT5' },
      'no sink': { protocol: 'HTTP' },
      'a config value that is not a string': { ...subscription, config: { enabled: false } },
    },
  },
];

/**
 * The bodies the document shows for triggers and subscriptions (`documentBodyAs`) are not what validates
 * requests (the workflows check a body whole), so this holds the two together: what the document accepts,
 * the API creates, and what it refuses, the API refuses too.
 */
describe('documented request bodies', () => {
  let t: TestApp;
  let auth: { authorization: string };
  before(async () => {
    t = await startTestApp();
    ({ auth } = await t.tenant());
  });
  after(() => t.close());

  for (const { url, documented, accepted, refused } of CASES) {
    const check = TypeCompiler.Compile(documented);
    const post = (payload: unknown) =>
      t.app.inject({ method: 'POST', url, headers: auth, payload: payload as object });
    for (const [what, body] of Object.entries(accepted)) {
      it(`POST ${url}: documents and creates ${what}`, async () => {
        assert.ok(check.Check(body), JSON.stringify([...check.Errors(body)][0]));
        const response = await post(body);
        assert.equal(response.statusCode, 201, response.body);
      });
    }
    for (const [what, body] of Object.entries(refused)) {
      it(`POST ${url}: refuses in the document and the API ${what}`, async () => {
        assert.equal(check.Check(body), false);
        const response = await post(body);
        assert.equal(response.statusCode, 422, response.body);
      });
    }
  }
});
