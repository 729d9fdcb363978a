import type { Connector } from '@sluice/core';
import { cloudEventsExampleConnector } from './cloudevents-connector.ts';
import { commerceOrdersConnector } from './commerce-orders-connector.ts';
import { githubConnector } from './github-connector.ts';
import { httpPollConnector } from './http-poll-connector.ts';
import { mqttConnector } from './mqtt-connector.ts';
import { slackConnector } from './slack-connector.ts';
import { standardWebhooksExampleConnector } from './standard-webhooks-connector.ts';
import { stripeConnector } from './stripe-connector.ts';

export type { CloudEventsSourceOptions } from './cloudevents-connector.ts';
export {
  CLOUDEVENTS_DEFAULT_VERIFY,
  CLOUDEVENTS_EXAMPLE_EVENT_TYPES,
  cloudEventsConnector,
  cloudEventsExampleConnector,
} from './cloudevents-connector.ts';
export { commerceOrdersConnector, mapShopifyOrder } from './commerce-orders-connector.ts';
export { cronConnector } from './cron-connector.ts';
export { GITHUB_EVENT_TYPES, githubConnector, mapGitHubDelivery } from './github-connector.ts';
export { httpPollConnector } from './http-poll-connector.ts';
export { HTTP_POLL_ID_FIELD, pollHttpJson, valueAt } from './http-poll-fetch.ts';
export {
  DEFAULT_BUCKET_SECONDS,
  MQTT_READING_EVENT_TYPE,
  mapMqttMessage,
  mqttConnector,
} from './mqtt-connector.ts';
export { DEFAULT_TOPIC_TEMPLATE, parseTopic, type TopicParts } from './mqtt-topic.ts';
export { platformConnector } from './platform-connector.ts';
export { answerSlackHandshake, mapSlackEvent, SLACK_EVENT_TYPES, slackConnector } from './slack-connector.ts';
export type { StandardWebhooksOptions } from './standard-webhooks-connector.ts';
export {
  STANDARD_WEBHOOKS_EVENT_TYPES,
  standardWebhooksConnector,
  standardWebhooksExampleConnector,
  standardWebhooksMapping,
} from './standard-webhooks-connector.ts';
export { STRIPE_DEFAULT_BASE_URL, stripeBaseUrl } from './stripe-base-url.ts';
export { mapStripeEvent, STRIPE_WEBHOOK_EVENT_TYPES, stripeConnector } from './stripe-connector.ts';
export { customerSyncedEmission, pollStripeCustomers } from './stripe-customers-poll.ts';

/** The example source connectors that ship with Sluice (the platform connector is registered apart). */
export const exampleConnectors: ReadonlyArray<Connector> = Object.freeze([
  commerceOrdersConnector,
  stripeConnector,
  githubConnector,
  standardWebhooksExampleConnector,
  cloudEventsExampleConnector,
  mqttConnector,
  slackConnector,
  httpPollConnector,
]);
