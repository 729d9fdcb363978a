import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import type { ConnectorSpec } from '@sluice/core';
import { isSluiceError } from '@sluice/core';
import { checkActionInput } from './action-input.ts';
import { defineConnector } from './define-connector.ts';
import type { DefinitionProblem } from './definition-problem.ts';

const hold = {
  input: Type.Object({ order_id: Type.String() }, { additionalProperties: false }),
  run: async () => ({ held: true }),
};

/** A valid connector with one action, to break one rule at a time. */
const spec = {
  id: 'cn-shop',
  events: { 'order.created': { kind: 'emit' } },
  secretConfig: ['token'],
  api: { version: '2024-01', baseUrlConfigKey: 'base_url', auth: { type: 'bearer', configKey: 'token' } },
  actions: { 'order.hold': hold },
} satisfies ConnectorSpec;

function problemsOf(broken: unknown): DefinitionProblem[] {
  try {
    defineConnector(broken as ConnectorSpec);
  } catch (error) {
    assert.ok(isSluiceError(error));
    assert.equal(error.code, 'connector_definition_invalid');
    return (error.details as { problems: DefinitionProblem[] }).problems;
  }
  assert.fail('the definition was accepted');
}

const rulesOf = (broken: unknown) => problemsOf(broken).map((p) => p.rule);

describe('connector actions and api', () => {
  it('a valid definition keeps its actions and api, frozen', () => {
    const connector = defineConnector(spec);
    assert.deepEqual([...connector.actions.keys()], ['order.hold']);
    assert.equal(connector.api?.version, '2024-01');
    assert.ok(Object.isFrozen(connector.api));
    assert.throws(() => (connector.actions as Map<string, unknown>).set('x.y', hold), TypeError);
  });

  it('a connector without actions has an empty action map and no api', () => {
    const connector = defineConnector({ id: 'cn-plain', events: { 'order.created': { kind: 'emit' } } });
    assert.equal(connector.actions.size, 0);
    assert.equal(connector.api, null);
  });

  it('action names are noun.verb', () => {
    const problems = problemsOf({ ...spec, actions: { hold: hold, 'Order.Hold': hold } });
    assert.deepEqual(
      problems.map((p) => p.rule),
      ['action_name_format', 'action_name_format'],
    );
    assert.match(problems[0]?.message ?? '', /connector "cn-shop": action "hold": action names are dotted/);
  });

  it('an action has a TypeBox input schema and a run function', () => {
    assert.deepEqual(rulesOf({ ...spec, actions: { 'order.hold': { run: hold.run } } }), [
      'action_input_schema',
    ]);
    assert.deepEqual(
      rulesOf({ ...spec, actions: { 'order.hold': { input: { type: 'object' }, run: hold.run } } }),
      ['action_input_schema'],
    );
    assert.deepEqual(rulesOf({ ...spec, actions: { 'order.hold': { input: hold.input } } }), [
      'action_run_type',
    ]);
    assert.deepEqual(rulesOf({ ...spec, actions: { 'order.hold': 'hold' } }), ['actions_shape']);
    assert.deepEqual(rulesOf({ ...spec, actions: ['order.hold'] }), ['actions_shape']);
  });

  it('actions need an api', () => {
    const { api: _api, ...withoutApi } = spec;
    assert.deepEqual(rulesOf(withoutApi), ['action_api_missing']);
  });

  it('the api has a version, a base URL key and an auth whose credential is sealed', () => {
    const api = spec.api;
    assert.deepEqual(rulesOf({ ...spec, api: { ...api, version: '' } }), ['api_version_format']);
    assert.deepEqual(rulesOf({ ...spec, api: { ...api, version: 'v 1' } }), ['api_version_format']);
    assert.deepEqual(rulesOf({ ...spec, api: { ...api, baseUrlConfigKey: undefined } }), [
      'api_base_url_key',
    ]);
    assert.deepEqual(rulesOf({ ...spec, api: { ...api, auth: { type: 'basic' } } }), ['api_auth_shape']);
    assert.deepEqual(rulesOf({ ...spec, api: { ...api, auth: { type: 'header', configKey: 'token' } } }), [
      'api_auth_shape',
    ]);
    assert.deepEqual(rulesOf({ ...spec, secretConfig: [] }), ['api_auth_not_sealed']);
    assert.deepEqual(rulesOf({ ...spec, api: { ...api, versionHeader: 'bad header' } }), ['api_shape']);
    assert.deepEqual(rulesOf({ ...spec, api: 'v1' }), ['api_shape']);
    defineConnector({ ...spec, secretConfig: [], api: { ...api, auth: { type: 'none' } } });
  });

  it('every broken rule is reported at once', () => {
    const rules = rulesOf({
      ...spec,
      secretConfig: [],
      api: { version: '', baseUrlConfigKey: '', auth: { type: 'bearer', configKey: 'token' } },
      actions: { hold: {} },
    });
    assert.deepEqual(rules, [
      'action_name_format',
      'action_input_schema',
      'action_run_type',
      'api_version_format',
      'api_base_url_key',
      'api_auth_not_sealed',
    ]);
  });
});

describe('checkActionInput', () => {
  it('accepts input that matches and names every problem of input that does not', () => {
    assert.deepEqual(checkActionInput(hold, { order_id: '7' }), { ok: true, input: { order_id: '7' } });
    const checked = checkActionInput(hold, { order_id: 7, extra: true });
    assert.equal(checked.ok, false);
    assert.ok(!checked.ok);
    assert.deepEqual(
      checked.problems.map((p) => p.path),
      ['/extra', '/order_id'],
    );
  });
});
