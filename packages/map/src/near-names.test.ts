import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { didYouMean, nearNames } from './near-names.ts';

const CONNECTORS = ['commerce-orders', 'stripe', 'github', 'standard-webhooks', 'cloudevents'];

describe('nearNames', () => {
  it('suggests a name one typo away, and prefixes', () => {
    assert.deepEqual(nearNames('strpe', CONNECTORS), ['stripe']);
    assert.deepEqual(nearNames('GitHub', CONNECTORS), ['github']);
    assert.deepEqual(nearNames('commerce', CONNECTORS), ['commerce-orders']);
    assert.deepEqual(nearNames('cloudevent', CONNECTORS), ['cloudevents']);
  });

  it('suggests nothing for a name far from all of them', () => {
    assert.deepEqual(nearNames('salesforce', CONNECTORS), []);
    assert.equal(didYouMean('salesforce', CONNECTORS), '');
  });

  it('words one and several suggestions', () => {
    assert.equal(didYouMean('stripe2', CONNECTORS), ' Did you mean "stripe"?');
    assert.equal(didYouMean('ab', ['abc', 'abd', 'xyz']), ' Did you mean "abc" or "abd"?');
  });
});
