import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Subscription } from '@sluice/control';
import type { Trigger } from '@sluice/core';
import { STORE_ADAPTERS } from '@sluice/store/testing';
import { startTestApp, type TestApp } from './testing/index.ts';

const SUBSCRIPTION = {
  protocol: 'HTTP',
  sink: 'https://consumer.test/events',
  types: ['order.created', 'order.updated'],
  filters: [{ prefix: { subject: 'order:' } }, { not: { exact: { mode: 'quiet' } } }],
  protocolsettings: { headers: { 'x-team': 'fulfilment' }, method: 'POST' },
  config: { name: 'orders to fulfilment', priority: 'P3' },
};

interface Problem {
  path: string;
  rule: string;
}

for (const adapter of STORE_ADAPTERS) {
  describe(`subscriptions API (${adapter.name})`, { timeout: 60_000 }, () => {
    let t: TestApp;
    let auth: { authorization: string };
    let other: { authorization: string };

    before(async () => {
      t = await startTestApp({ adapter: adapter.name });
      ({ auth } = await t.tenant('Acme'));
      ({ auth: other } = await t.tenant('Other'));
    });
    after(() => t.close());

    const post = (payload: unknown, headers = auth) =>
      t.app.inject({ method: 'POST', url: '/api/v1/subscriptions', headers, payload: payload as object });
    const subscribe = async (payload: unknown): Promise<Subscription> => {
      const response = await post(payload);
      assert.equal(response.statusCode, 201, response.body);
      return response.json() as Subscription;
    };
    const trigger = async (id: string): Promise<Trigger> => {
      const response = await t.app.inject({ url: `/api/v1/triggers/${id}`, headers: auth });
      assert.equal(response.statusCode, 200, response.body);
      return response.json().trigger as Trigger;
    };
    const problemsOf = (response: { statusCode: number; body: string; json(): unknown }): string[] => {
      assert.equal(response.statusCode, 422, response.body);
      const body = response.json() as { error: { code: string; details: { problems: Problem[] } } };
      assert.equal(body.error.code, 'subscription_invalid');
      return body.error.details.problems.map((p) => `${p.path} ${p.rule}`);
    };

    it('creates a subscription that is a trigger with an http action', async () => {
      const response = await post(SUBSCRIPTION);
      assert.equal(response.statusCode, 201, response.body);
      const created = response.json() as Subscription;
      assert.equal(response.headers.location, `/api/v1/subscriptions/${created.id}`);
      assert.match(created.id, /^trg_/);
      const secret = created.config['secret'];
      assert.match(secret ?? '', /^whsec_/);
      assert.deepEqual(
        { ...created, id: undefined, config: { ...created.config, secret: undefined } },
        {
          ...SUBSCRIPTION,
          id: undefined,
          config: { ...SUBSCRIPTION.config, enabled: 'true', format: 'cloudevents', secret: undefined },
        },
      );
      const seen = await trigger(created.id);
      assert.equal(seen.name, 'orders to fulfilment');
      assert.deepEqual(seen.event_types, SUBSCRIPTION.types);
      assert.equal(seen.priority, 'P3');
      assert.deepEqual(seen.action, {
        type: 'http',
        url: SUBSCRIPTION.sink,
        format: 'cloudevents',
        headers: { 'x-team': 'fulfilment' },
      });
      assert.deepEqual(seen.condition, {
        all: [
          { sql: "(EXISTS subject AND subject LIKE 'order:%')" },
          { not: { sql: "(EXISTS mode AND mode = 'quiet')" } },
        ],
      });
      // The secret is shown once.
      const again = await t.app.inject({ url: `/api/v1/subscriptions/${created.id}`, headers: auth });
      assert.equal(again.statusCode, 200);
      assert.ok(secret !== undefined && !again.body.includes(secret));
      assert.equal((again.json() as Subscription).config['secret'], undefined);
      const listed = await t.app.inject({ url: '/api/v1/subscriptions', headers: auth });
      assert.ok(!listed.body.includes(secret));
    });

    it('shows a trigger with an http action as a subscription, and no other trigger', async () => {
      const make = async (payload: object) => {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/v1/triggers',
          headers: auth,
          payload,
        });
        assert.equal(response.statusCode, 201, response.body);
        return response.json().trigger as Trigger;
      };
      const sqlOnly = await make({
        name: 'shipped',
        event_types: ['order.*'],
        condition: { any: [{ sql: "(EXISTS subject AND subject = 'order:7')" }, { sql: 'EXISTS traceid' }] },
        action: { type: 'http', url: 'https://a.test/x', format: 'envelope' },
        enabled: false,
      });
      const withLeaves = await make({
        name: 'big',
        event_types: ['*'],
        condition: 'payload.total gt 100',
        action: { type: 'http', url: 'https://b.test/y' },
      });
      const handler = await make({
        name: 'h',
        event_types: ['*'],
        action: { type: 'handler', name: 'audit' },
      });
      const get = (id: string) => t.app.inject({ url: `/api/v1/subscriptions/${id}`, headers: auth });
      assert.deepEqual((await get(sqlOnly.id)).json(), {
        id: sqlOnly.id,
        protocol: 'HTTP',
        sink: 'https://a.test/x',
        types: ['order.*'],
        filters: [{ any: [{ exact: { subject: 'order:7' } }, { sql: 'EXISTS traceid' }] }],
        protocolsettings: { method: 'POST' },
        config: { name: 'shipped', enabled: 'false', format: 'envelope' },
      });
      // The condition language's leaves have no filter: the text form is in config.
      const leaves = (await get(withLeaves.id)).json() as Subscription;
      assert.equal(leaves.filters, undefined);
      assert.equal(leaves.config['condition'], 'payload.total gt 100');
      assert.equal(leaves.config['format'], 'envelope');
      const notOne = await get(handler.id);
      assert.equal(notOne.statusCode, 404);
      assert.equal(notOne.json().error.code, 'subscription_not_found');
      const all = (
        await t.app.inject({ url: '/api/v1/subscriptions', headers: auth })
      ).json() as Subscription[];
      assert.ok(Array.isArray(all));
      const ids = all.map((s) => s.id);
      assert.ok(ids.includes(sqlOnly.id) && ids.includes(withLeaves.id) && !ids.includes(handler.id));
      // What GET shows can be PUT back unchanged.
      for (const shown of [sqlOnly.id, withLeaves.id]) {
        const body = (await get(shown)).json();
        const put = await t.app.inject({
          method: 'PUT',
          url: `/api/v1/subscriptions/${shown}`,
          headers: auth,
          payload: body,
        });
        assert.equal(put.statusCode, 200, put.body);
        assert.deepEqual(put.json(), body);
      }
    });

    it('maps every filter dialect, and source', async () => {
      const filters = [
        { exact: { type: 'order.created' } },
        { prefix: { subject: "order:o'brien_50%" } },
        { suffix: { dataschema: '.json' } },
        { all: [{ exact: { mode: 'live' } }, { prefix: { stream: 'orders' } }] },
        { any: [{ exact: { sluicesource: 'shop' } }, { suffix: { correlationid: '-retry' } }] },
        { not: { exact: { agentid: 'bot' } } },
        { sql: "EXISTS causationid OR type LIKE '%.created'" },
      ];
      const created = await subscribe({
        protocol: 'HTTP',
        sink: 'https://c.test',
        source: '/sluice/x',
        filters,
      });
      assert.deepEqual(created.filters, [{ exact: { source: '/sluice/x' } }, ...filters]);
      assert.deepEqual(created.types, ['*']);
      const stored = await trigger(created.id);
      assert.ok(
        stored.condition !== null && typeof stored.condition === 'object' && 'all' in stored.condition,
      );
      assert.equal(stored.condition.all.length, 8);
    });

    it('refuses what a subscription here cannot say, naming the field and the rule', async () => {
      const cases: Array<[object, string[]]> = [
        [{ ...SUBSCRIPTION, protocol: 'MQTT5' }, ['protocol protocol_unsupported']],
        [{ ...SUBSCRIPTION, protocol: 'SMTP' }, ['protocol protocol_unsupported']],
        [{ sink: 'https://x.test' }, ['protocol field_missing']],
        [{ protocol: 'HTTP' }, ['sink field_missing']],
        [{ ...SUBSCRIPTION, sink: 'amqp://broker/q' }, ['sink url_format']],
        [
          { ...SUBSCRIPTION, sinkcredential: { credentialtype: 'PLAIN', identifier: 'u', secret: 'p' } },
          ['sinkcredential field_unsupported'],
        ],
        [
          { ...SUBSCRIPTION, protocolsettings: { method: 'PUT' } },
          ['protocolsettings.method field_unsupported'],
        ],
        [
          { ...SUBSCRIPTION, protocolsettings: { headers: { Host: 'x' } } },
          ['protocolsettings.headers.Host header_reserved'],
        ],
        [{ ...SUBSCRIPTION, types: ['Order Created'] }, ['types[0] event_type_pattern']],
        [
          { ...SUBSCRIPTION, filters: [{ exact: { type: 'a' }, suffix: { type: 'b' } }] },
          ['filters[0] filter_dialect'],
        ],
        [
          { ...SUBSCRIPTION, filters: [{ exact: { 'bad-name': 'a' } }] },
          ['filters[0].exact.bad-name filter_attribute'],
        ],
        [{ ...SUBSCRIPTION, filters: [{ sql: 'type = ' }] }, ['filters[0].sql sql_invalid']],
        [{ ...SUBSCRIPTION, config: { colour: 'red' } }, ['config.colour field_unknown']],
        [{ ...SUBSCRIPTION, config: { priority: 'urgent' } }, ['config.priority priority_unknown']],
        [{ ...SUBSCRIPTION, config: { format: 'xml' } }, ['config.format format_unknown']],
        [{ ...SUBSCRIPTION, config: { enabled: true } }, ['config.enabled config_value']],
        [{ ...SUBSCRIPTION, config: { secret: 'hunter2' } }, ['config.secret secret_format']],
        [
          { ...SUBSCRIPTION, config: { condition: 'payload.total gt' } },
          ['config.condition condition_syntax'],
        ],
        [{ ...SUBSCRIPTION, id: 'trg_mine' }, ['id id_mismatch']],
      ];
      for (const [body, expected] of cases) {
        assert.deepEqual(problemsOf(await post(body)), expected, JSON.stringify(body));
      }
      const broken = await t.app.inject({
        method: 'POST',
        url: '/api/v1/subscriptions',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: '{"protocol":',
      });
      assert.equal(broken.statusCode, 400);
      assert.equal(broken.json().error.code, 'invalid_json');
    });

    it('replaces a subscription whole, keeping its secret, and deletes it', async () => {
      const created = await subscribe(SUBSCRIPTION);
      const url = `/api/v1/subscriptions/${created.id}`;
      const tenantId = (await trigger(created.id)).tenant_id;
      const sealed = await t.store.triggers.sealedSecret(tenantId, created.id);
      const put = await t.app.inject({
        method: 'PUT',
        url,
        headers: auth,
        payload: { id: created.id, protocol: 'HTTP', sink: 'https://moved.test/in', types: ['invoice.paid'] },
      });
      assert.equal(put.statusCode, 200, put.body);
      const replaced = put.json() as Subscription;
      assert.equal(replaced.sink, 'https://moved.test/in');
      assert.equal(replaced.filters, undefined);
      assert.deepEqual(replaced.config, {
        name: 'subscription https://moved.test/in',
        enabled: 'true',
        format: 'cloudevents',
      });
      const stored = await trigger(created.id);
      assert.equal(stored.condition, null);
      assert.equal(stored.priority, null);
      const kept = await t.store.triggers.sealedSecret(tenantId, created.id);
      assert.ok(sealed !== null && kept !== null);
      assert.equal(t.ctx.secretBox.open(kept, created.id), t.ctx.secretBox.open(sealed, created.id));
      const mismatch = await t.app.inject({
        method: 'PUT',
        url,
        headers: auth,
        payload: { ...SUBSCRIPTION, id: 'trg_other' },
      });
      assert.deepEqual(problemsOf(mismatch), ['id id_mismatch']);
      const options = await t.app.inject({ method: 'OPTIONS', url, headers: auth });
      assert.equal(options.statusCode, 200);
      assert.equal(options.headers.allow, 'GET,PUT,DELETE,OPTIONS');
      const root = await t.app.inject({ method: 'OPTIONS', url: '/api/v1/subscriptions', headers: auth });
      assert.equal(root.headers.allow, 'GET,POST,OPTIONS');
      const gone = await t.app.inject({ method: 'DELETE', url, headers: auth });
      assert.equal(gone.statusCode, 200);
      assert.equal((await t.app.inject({ url, headers: auth })).statusCode, 404);
      const asTrigger = await t.app.inject({ url: `/api/v1/triggers/${created.id}`, headers: auth });
      assert.equal(asTrigger.statusCode, 404);
    });

    it("answers 404 for another tenant's subscription on every route", async () => {
      const created = await subscribe(SUBSCRIPTION);
      const url = `/api/v1/subscriptions/${created.id}`;
      for (const [method, payload] of [
        ['GET', undefined],
        ['PUT', { protocol: 'HTTP', sink: 'https://evil.test' }],
        ['DELETE', undefined],
        ['OPTIONS', undefined],
      ] as const) {
        const response = await t.app.inject({ method, url, headers: other, ...(payload ? { payload } : {}) });
        assert.equal(response.statusCode, 404, `${method} ${response.body}`);
        assert.equal(response.json().error.code, 'subscription_not_found');
      }
      const theirs = (
        await t.app.inject({ url: '/api/v1/subscriptions', headers: other })
      ).json() as Subscription[];
      assert.deepEqual(theirs, []);
      assert.equal((await t.app.inject({ url })).statusCode, 401);
      assert.equal((await t.app.inject({ url, headers: auth })).json().sink, SUBSCRIPTION.sink);
    });
  });
}
