import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runMapping } from '@sluice/map';
import { deliveryOf } from './fixtures/map-input.ts';
import { answerSlackHandshake, slackConnector } from './slack-connector.ts';

const callback = (event: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
  team_id: 'T061EG9R6',
  api_app_id: 'A0MDYCDME',
  event,
  type: 'event_callback',
  event_id: 'Ev0LAN670R',
  event_time: 1515449522,
  ...extra,
});

describe('slack connector', () => {
  it('verifies with the slack scheme and answers url_verification with the challenge as text', () => {
    assert.deepEqual(slackConnector.webhook?.verify, { scheme: 'slack' });
    const challenge = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P';
    assert.deepEqual(
      answerSlackHandshake(deliveryOf({ token: 'x', challenge, type: 'url_verification' }, {})),
      { status: 200, body: challenge },
    );
    assert.equal(answerSlackHandshake(deliveryOf(callback({ type: 'app_mention' }), {})), null);
    assert.equal(answerSlackHandshake(deliveryOf({ type: 'url_verification' }, {}))?.status, 400);
  });

  it('maps an app_mention keyed by workspace and event_id, about its channel', () => {
    const result = runMapping(
      slackConnector,
      deliveryOf(
        callback({
          type: 'app_mention',
          user: 'U061F7AUR',
          text: '<@U0LAN0Z89> hello',
          ts: '1515449522.000016',
          channel: 'C123ABC456',
          event_ts: '1515449522000016',
        }),
        {},
      ),
    );
    assert.ok(result.ok);
    const [emission] = result.emissions;
    assert.equal(emission?.event_type, 'app_mention.created');
    assert.equal(emission?.dedupe_key, 'slack:T061EG9R6:Ev0LAN670R');
    assert.equal(emission?.source, 'slack');
    assert.equal(emission?.occurred_at, '2018-01-08T22:12:02.000Z');
    assert.deepEqual(emission?.payload['entity'], { kind: 'slack_channel', id: 'C123ABC456' });
    assert.equal(emission?.payload['user'], 'U061F7AUR');
  });

  it('maps messages by subtype, reactions by their item, and joins by user when no channel', () => {
    const type = (event: Record<string, unknown>) => {
      const result = runMapping(slackConnector, deliveryOf(callback(event), {}));
      assert.ok(result.ok, JSON.stringify(result));
      return [result.emissions[0]?.event_type, result.emissions[0]?.payload['entity']];
    };
    assert.deepEqual(type({ type: 'message', channel: 'C1', user: 'U1', text: 'hi' }), [
      'message.posted',
      { kind: 'slack_channel', id: 'C1' },
    ]);
    assert.equal(
      type({ type: 'message', subtype: 'bot_message', channel: 'C1', bot_id: 'B1' })[0],
      'message.posted',
    );
    assert.equal(type({ type: 'message', subtype: 'message_changed', channel: 'C1' })[0], 'message.edited');
    assert.deepEqual(
      type({ type: 'reaction_added', user: 'U1', reaction: 'tada', item: { channel: 'C9' } }),
      ['reaction.added', { kind: 'slack_channel', id: 'C9' }],
    );
    assert.deepEqual(type({ type: 'channel_created', channel: { id: 'C7', name: 'general' } }), [
      'channel.created',
      { kind: 'slack_channel', id: 'C7' },
    ]);
  });

  it('fails (a dead letter) on an unsupported event or envelope', () => {
    const failure = (body: unknown) => {
      const result = runMapping(slackConnector, deliveryOf(body, {}));
      assert.equal(result.ok, false);
      return result.ok ? '' : result.error.message;
    };
    assert.match(
      failure(callback({ type: 'team_join', user: { id: 'U1' } })),
      /unsupported event "team_join"/,
    );
    assert.match(failure({ type: 'app_rate_limited' }), /unsupported envelope type/);
    assert.match(failure(callback({ type: 'message' }, { event_id: undefined })), /event_id/);
  });
});
