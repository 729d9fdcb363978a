import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSluiceError } from '@sluice/core';
import { defineOperator, type OperatorSpec } from './define-operator.ts';
import { OperatorRegistry } from './operator-registry.ts';
import { checkPlan } from './plan.ts';
import { actionKind, checkKindPatterns, kindAllowed } from './plan-policy.ts';

const rulesOf = (spec: unknown): unknown => {
  try {
    defineOperator(spec as OperatorSpec);
  } catch (error) {
    assert.ok(isSluiceError(error));
    assert.equal(error.code, 'operator_definition_invalid');
    return (error.details as { problems: Array<{ rule: string }> }).problems.map((p) => p.rule);
  }
  return [];
};

describe('operators', () => {
  it('defineOperator checks the name and the run function, every problem at once', () => {
    assert.deepEqual(rulesOf({ name: 'order-risk', run: () => ({ actions: [] }) }), []);
    assert.deepEqual(rulesOf({ name: 'Order Risk' }), ['operator_name_format', 'operator_run_type']);
  });

  it('the registry refuses a second operator of one name', () => {
    const operator = defineOperator({ name: 'order-risk', run: () => ({ actions: [] }) });
    const registry = new OperatorRegistry([operator]);
    assert.throws(
      () => registry.register(defineOperator({ name: 'order-risk', run: () => ({ actions: [] }) })),
      (error: unknown) =>
        isSluiceError(error) && (error.details as { rule: string }).rule === 'operator_name_unique',
    );
    assert.equal(registry.get('order-risk'), operator);
    assert.equal(registry.get('other'), null);
  });

  it('checkPlan names every problem with its path', () => {
    assert.equal(checkPlan({ actions: [] }).ok, true);
    const checked = checkPlan({
      actions: [{ kind: 'http', entity_key: 'order:1', idempotency_key: 'k', input: {}, x: 1 }],
      emit: {},
    });
    assert.ok(!checked.ok);
    assert.deepEqual(
      checked.problems.map((p) => p.path),
      ['/actions/0/x', '/emit'],
    );
    assert.equal(checkPlan(null).ok, false);
  });

  it('kinds are allowed exactly or under a * prefix', () => {
    assert.equal(kindAllowed('http', ['http']), true);
    assert.equal(kindAllowed('connector:github.issue.comment', ['connector:github.*']), true);
    assert.equal(kindAllowed('connector:stripe.refund.create', ['connector:github.*', 'http']), false);
    assert.equal(kindAllowed('anything', ['*']), true);
    assert.equal(kindAllowed('http', []), false);
    assert.equal(kindAllowed('handler:order-risk', ['handler:order-*']), true);
  });

  it('names the kind of a trigger action, and checks a policy list naming every bad entry', () => {
    assert.equal(actionKind({ type: 'http', url: 'https://x.test' }, null), 'http');
    assert.equal(actionKind({ type: 'handler', name: 'order-risk' }, null), 'handler:order-risk');
    const hold = { type: 'connector', connection_id: 'con_1', action: 'order.hold' } as const;
    assert.equal(actionKind(hold, 'commerce-orders'), 'connector:commerce-orders.order.hold');
    assert.equal(actionKind(hold, null), null, 'unknown connection: the runner refuses it');
    assert.deepEqual(checkKindPatterns(['*', 'http', 'connector:*', 'connector:github.*', 'handler:a-b']), {
      ok: true,
      patterns: ['*', 'http', 'connector:*', 'connector:github.*', 'handler:a-b'],
    });
    const bad = checkKindPatterns(['http', 'mail', 7, 'handler:', 'connector:Git Hub']);
    assert.ok(!bad.ok);
    assert.deepEqual(
      bad.problems.map((p) => p.path),
      ['allowed_actions[1]', 'allowed_actions[2]', 'allowed_actions[3]', 'allowed_actions[4]'],
    );
    const notList = checkKindPatterns('http');
    assert.ok(!notList.ok);
    assert.equal(notList.problems[0]?.rule, 'allowed_actions_type');
  });
});
