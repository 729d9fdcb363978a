import type { Emission, HandshakeAnswer, MapInput } from '@sluice/core';
import { defineConnector } from '@sluice/map';
import { isoFromEpochSeconds, optionalString, recordOf, stringOf } from './source-fields.ts';

const ID = 'slack';

/** Slack event types (`event.type`, and `message` subtypes as `message/<subtype>`) → Sluice event types. */
export const SLACK_EVENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  message: 'message.posted',
  'message/message_changed': 'message.edited',
  'message/message_deleted': 'message.deleted',
  app_mention: 'app_mention.created',
  reaction_added: 'reaction.added',
  reaction_removed: 'reaction.removed',
  member_joined_channel: 'channel_member.joined',
  member_left_channel: 'channel_member.left',
  channel_created: 'channel.created',
});

/** `message` subtypes that are still a posted message (a bot's post, a file share, a thread broadcast). */
const POSTED_SUBTYPES = new Set(['bot_message', 'file_share', 'thread_broadcast', 'me_message']);

type Body = Record<string, unknown>;

/**
 * Slack's `url_verification` handshake: the challenge is sent back as `text/plain`, which Slack accepts
 * when it checks a Request URL. Anything else is not a handshake.
 */
export function answerSlackHandshake(input: MapInput): HandshakeAnswer | null {
  const body = input.body;
  if (typeof body !== 'object' || body === null) return null;
  const { type, challenge } = body as Body;
  if (type !== 'url_verification') return null;
  if (typeof challenge !== 'string' || challenge === '') {
    return {
      status: 400,
      body: { error: { code: 'invalid_request', message: 'The challenge is missing.' } },
    };
  }
  return { status: 200, body: challenge };
}

/**
 * An Events API `event_callback` → one emission. `event.type` picks the event type (table above); the
 * dedupe key is the workspace and `event_id`, which Slack keeps on its retries (`x-slack-retry-num`), so a
 * retry is a duplicate. Any other envelope type or event type throws, so the delivery is dead-lettered.
 */
export function mapSlackEvent(input: MapInput): Emission {
  const body = recordOf(ID, 'the Events API body', input.body);
  if (body['type'] !== 'event_callback') {
    throw new Error(
      `${ID}: unsupported envelope type ${JSON.stringify(body['type'])}; this connector maps event_callback and url_verification`,
    );
  }
  const eventId = stringOf(ID, 'event_id', body['event_id']);
  const teamId = optionalString(body['team_id']) ?? optionalString(body['context_team_id']) ?? 'unknown';
  const event = recordOf(ID, 'event', body['event']);
  const eventType = eventTypeOf(event);
  return {
    source: ID,
    event_type: eventType,
    dedupe_key: `slack:${teamId}:${eventId}`,
    occurred_at: isoFromEpochSeconds(body['event_time']),
    payload: {
      entity: entityOf(event),
      team_id: teamId,
      api_app_id: optionalString(body['api_app_id']),
      event_id: eventId,
      slack_type: event['type'] ?? null,
      subtype: optionalString(event['subtype']),
      channel: channelOf(event),
      user: userOf(event),
      text: optionalString(event['text']),
      ts: optionalString(event['ts']),
      thread_ts: optionalString(event['thread_ts']),
      event_ts: optionalString(event['event_ts']),
      reaction: optionalString(event['reaction']),
    },
  };
}

function eventTypeOf(event: Body): string {
  const type = stringOf(ID, 'event.type', event['type']);
  const subtype = optionalString(event['subtype']);
  const key =
    type === 'message' && subtype !== null && !POSTED_SUBTYPES.has(subtype) ? `message/${subtype}` : type;
  const eventType = Object.hasOwn(SLACK_EVENT_TYPES, key) ? SLACK_EVENT_TYPES[key] : undefined;
  if (eventType === undefined) {
    throw new Error(
      `${ID}: unsupported event ${JSON.stringify(key)}; this connector maps ${Object.keys(SLACK_EVENT_TYPES).join(', ')}`,
    );
  }
  return eventType;
}

function channelOf(event: Body): string | null {
  const item = event['item'];
  const channel = event['channel'];
  if (typeof channel === 'object' && channel !== null) return optionalString((channel as Body)['id']);
  return (
    optionalString(channel) ??
    (typeof item === 'object' && item !== null ? optionalString((item as Body)['channel']) : null)
  );
}

function userOf(event: Body): string | null {
  const user = event['user'];
  if (typeof user === 'object' && user !== null) return optionalString((user as Body)['id']);
  return optionalString(user) ?? optionalString(event['bot_id']);
}

/** The conversation the event happened in; a user for events without one. */
function entityOf(event: Body): { kind: string; id: string } {
  const channel = channelOf(event);
  if (channel !== null) return { kind: 'slack_channel', id: channel };
  const user = userOf(event);
  if (user !== null) return { kind: 'slack_user', id: user };
  throw new Error(`${ID}: the ${JSON.stringify(event['type'])} event names no channel and no user`);
}

/** The Slack Events API: answers the Request URL check and maps event callbacks. */
export const slackConnector = defineConnector({
  id: ID,
  version: '1.0.0',
  description: 'Slack Events API: messages, mentions, reactions and channel membership.',
  streams: [{ key: 'events', mode: 'webhook', events: [...new Set(Object.values(SLACK_EVENT_TYPES))] }],
  webhook: { verify: { scheme: 'slack' } },
  handshake: answerSlackHandshake,
  map: mapSlackEvent,
});
