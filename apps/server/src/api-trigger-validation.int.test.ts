import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STORE_ADAPTERS } from '@sluice/store/testing';
import { startTestApp, type TestApp } from './testing/index.ts';

const VALID = {
  name: 'big orders',
  event_types: ['order.created'],
  condition: { path: 'payload.total', op: 'gt', value: 100 },
  action: { type: 'http', url: 'https://example.test/hook' },
};

interface Problem {
  path: string;
  rule: string;
  message: string;
  column?: number;
}

/** One bad field per case: the body, and the path and rule the 422 must name. */
const CASES: ReadonlyArray<{ what: string; body: Record<string, unknown>; path: string; rule: string }> = [
  {
    what: 'a bad glob',
    body: { event_types: ['order.*', 'Order..x'] },
    path: 'event_types[1]',
    rule: 'event_type_pattern',
  },
  { what: 'no patterns', body: { event_types: [] }, path: 'event_types', rule: 'event_types_size' },
  {
    what: 'a bad op',
    body: { condition: { path: 'payload.total', op: 'equals', value: 1 } },
    path: 'condition.op',
    rule: 'op_unknown',
  },
  {
    what: 'a bad op deep in the AST',
    body: {
      condition: {
        all: [{ path: 'payload.a', op: 'eq', value: 1 }, { not: { path: 'payload.b', op: 'gte', value: 2 } }],
      },
    },
    path: 'condition.all[1].not.op',
    rule: 'op_unknown',
  },
  {
    what: 'a bad path',
    body: { condition: { path: 'nowhere.x', op: 'exists' } },
    path: 'condition.path',
    rule: 'path_root_unknown',
  },
  {
    what: 'a text parse error',
    body: { condition: 'payload.total gt 100 and and payload.x eq 1' },
    path: 'condition',
    rule: 'condition_syntax',
  },
  {
    what: 'bad CESQL',
    body: { condition: { sql: "type = 'order.created' AND (" } },
    path: 'condition.sql',
    rule: 'sql_invalid',
  },
  {
    what: 'bad CESQL in the text form',
    body: { condition: 'sql "type = = 1"' },
    path: 'condition.sql',
    rule: 'sql_invalid',
  },
  {
    what: 'a relative action url',
    body: { action: { type: 'http', url: '/hook' } },
    path: 'action.url',
    rule: 'url_format',
  },
  {
    what: 'a non-http action url',
    body: { action: { type: 'http', url: 'ftp://example.test/x' } },
    path: 'action.url',
    rule: 'url_format',
  },
  {
    what: 'credentials in the url',
    body: { action: { type: 'http', url: 'https://u:p@example.test/' } },
    path: 'action.url',
    rule: 'url_format',
  },
  { what: 'a bad priority', body: { priority: 'P7' }, path: 'priority', rule: 'priority_unknown' },
  {
    what: 'a bad single-flight mode',
    body: { single_flight: 'parallel' },
    path: 'single_flight',
    rule: 'single_flight_unknown',
  },
  {
    what: 'too many attempts',
    body: { retry: { max_attempts: 99 } },
    path: 'retry.max_attempts',
    rule: 'value_range',
  },
  { what: 'an unknown retry field', body: { retry: { tries: 3 } }, path: 'retry.tries', rule: 'key_unknown' },
  {
    what: 'delays out of order',
    body: { retry: { initial_delay_ms: 5000, max_delay_ms: 10 } },
    path: 'retry.max_delay_ms',
    rule: 'delay_order',
  },
  {
    what: 'an unknown placeholder',
    body: { idempotency_key: 'order-risk:{entity}:hold' },
    path: 'idempotency_key',
    rule: 'idempotency_key_format',
  },
  {
    what: 'a bad format',
    body: { action: { type: 'http', url: 'https://x.test', format: 'xml' } },
    path: 'action.format',
    rule: 'format_unknown',
  },
  {
    what: 'a non-string header',
    body: { action: { type: 'http', url: 'https://x.test', headers: { 'x-a': 1 } } },
    path: 'action.headers.x-a',
    rule: 'headers_format',
  },
  {
    what: 'a reserved header',
    body: { action: { type: 'http', url: 'https://x.test', headers: { 'Webhook-Signature': 'v1,x' } } },
    path: 'action.headers.Webhook-Signature',
    rule: 'header_reserved',
  },
  {
    what: 'a bad secret',
    body: { action: { type: 'http', url: 'https://x.test', secret: 'hunter2' } },
    path: 'action.secret',
    rule: 'secret_format',
  },
  {
    what: 'an unknown action type',
    body: { action: { type: 'email', to: 'a@b.c' } },
    path: 'action.type',
    rule: 'action_type_unknown',
  },
  {
    what: 'an action that is not an object',
    body: { action: 'https://x.test' },
    path: 'action',
    rule: 'action_type',
  },
  {
    what: 'a bad handler name',
    body: { action: { type: 'handler', name: '' } },
    path: 'action.name',
    rule: 'handler_name_format',
  },
  {
    what: 'an unknown connection',
    body: { action: { type: 'connector', connection_id: 'con_nope', action: 'create_ticket' } },
    path: 'action.connection_id',
    rule: 'connection_unknown',
  },
  {
    what: 'a bad connector action',
    body: { action: { type: 'connector', connection_id: 'con_x', action: 'Create Ticket!' } },
    path: 'action.action',
    rule: 'connector_action_format',
  },
  {
    what: 'an unknown action field',
    body: { action: { type: 'handler', name: 'h', url: 'https://x.test' } },
    path: 'action.url',
    rule: 'field_unknown',
  },
  { what: 'an unknown field', body: { filter: 'x' }, path: 'filter', rule: 'field_unknown' },
  { what: 'a bad name', body: { name: 'x'.repeat(201) }, path: 'name', rule: 'name_format' },
  { what: 'a bad enabled', body: { enabled: 'yes' }, path: 'enabled', rule: 'enabled_type' },
];

for (const adapter of STORE_ADAPTERS) {
  describe(`trigger validation (${adapter.name})`, { timeout: 60_000 }, () => {
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
      t.app.inject({ method: 'POST', url: '/api/v1/triggers', headers, payload: payload as object });
    const problemsOf = (response: { statusCode: number; body: string; json(): unknown }): Problem[] => {
      assert.equal(response.statusCode, 422, response.body);
      const body = response.json() as { error: { code: string; details: { problems: Problem[] } } };
      assert.equal(body.error.code, 'trigger_invalid');
      return body.error.details.problems;
    };

    for (const { what, body, path, rule } of CASES) {
      it(`refuses ${what}: 422 naming ${path} and ${rule}`, async () => {
        const problems = problemsOf(await post({ ...VALID, ...body }));
        const found = problems.find((p) => p.path === path && p.rule === rule);
        assert.ok(found, `expected ${path} ${rule} in ${JSON.stringify(problems)}`);
        assert.ok(found.message.startsWith(`${path}: rule ${rule}: `), found.message);
      });
    }

    it('names the column of a text parse error', async () => {
      const [problem] = problemsOf(
        await post({ ...VALID, condition: 'payload.total gt 100 and and payload.x eq 1' }),
      );
      assert.equal(problem?.column, 26);
      assert.match(problem?.message ?? '', /column 26/);
    });

    it('reports every broken rule at once, and stores nothing', async () => {
      const problems = problemsOf(
        await post({
          name: '',
          event_types: ['order..created'],
          condition: { path: 'payload.total', op: 'bigger', value: 1 },
          priority: 'P0',
          action: { type: 'http', url: 'mailto:x@y.z', format: 'soap' },
          colour: 'red',
        }),
      );
      assert.deepEqual(problems.map((p) => `${p.path} ${p.rule}`).sort(), [
        'action.format format_unknown',
        'action.url url_format',
        'colour field_unknown',
        'condition.op op_unknown',
        'event_types[0] event_type_pattern',
        'name name_format',
        'priority priority_unknown',
      ]);
      const listed = await t.app.inject({ url: '/api/v1/triggers', headers: auth });
      assert.deepEqual(listed.json().items, []);
    });

    it('names the required fields', async () => {
      const problems = problemsOf(await post({}));
      assert.deepEqual(
        problems.map((p) => `${p.path} ${p.rule}`),
        ['name field_missing', 'event_types field_missing', 'action field_missing'],
      );
    });

    it('refuses a connector action on another tenant’s connection', async () => {
      const made = await t.app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers: other,
        payload: { connector_id: 'commerce-orders' },
      });
      assert.equal(made.statusCode, 201, made.body);
      const theirs = made.json().connection.id as string;
      const action = { type: 'connector', connection_id: theirs, action: 'create_ticket' };
      const [problem] = problemsOf(await post({ ...VALID, action }));
      assert.deepEqual([problem?.path, problem?.rule], ['action.connection_id', 'connection_unknown']);
      assert.equal((await post({ ...VALID, action }, other)).statusCode, 201);
    });

    it('answers 400 for malformed JSON and for a body that is not an object', async () => {
      const broken = await t.app.inject({
        method: 'POST',
        url: '/api/v1/triggers',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: '{"name": "x", ',
      });
      assert.equal(broken.statusCode, 400);
      assert.equal(broken.json().error.code, 'invalid_json');
      const list = await post([VALID]);
      assert.equal(list.statusCode, 400);
    });

    it('checks a change the same way, and an empty change is refused', async () => {
      const created = await post(VALID);
      const id = created.json().trigger.id as string;
      const patch = (payload: unknown) =>
        t.app.inject({
          method: 'PATCH',
          url: `/api/v1/triggers/${id}`,
          headers: auth,
          payload: payload as object,
        });
      const [empty] = problemsOf(await patch({}));
      assert.equal(empty?.rule, 'changes_empty');
      const problems = problemsOf(await patch({ condition: 'payload.total gt', priority: 'high' }));
      assert.deepEqual(problems.map((p) => `${p.path} ${p.rule}`).sort(), [
        'condition condition_syntax',
        'priority priority_unknown',
      ]);
      const [glob] = problemsOf(await patch({ event_types: ['*.*.'] }));
      assert.equal(glob?.path, 'event_types[0]');
      // Nothing changed.
      const stored = await t.app.inject({ url: `/api/v1/triggers/${id}`, headers: auth });
      assert.deepEqual(stored.json().trigger.condition, VALID.condition);
    });

    it("answers 404 for another tenant's trigger on every route, and changes nothing", async () => {
      const created = await post(VALID);
      const id = created.json().trigger.id as string;
      const url = `/api/v1/triggers/${id}`;
      for (const [method, payload] of [
        ['GET', undefined],
        ['PATCH', { name: 'mine now' }],
        ['DELETE', undefined],
      ] as const) {
        const response = await t.app.inject({ method, url, headers: other, ...(payload ? { payload } : {}) });
        assert.equal(response.statusCode, 404, `${method} ${response.body}`);
        assert.equal(response.json().error.code, 'trigger_not_found');
      }
      const theirList = await t.app.inject({ url: '/api/v1/triggers', headers: other });
      assert.ok(!theirList.json().items.some((x: { id: string }) => x.id === id));
      const mine = await t.app.inject({ url, headers: auth });
      assert.equal(mine.json().trigger.name, VALID.name);
      const anonymous = await t.app.inject({ url });
      assert.equal(anonymous.statusCode, 401);
    });
  });
}
