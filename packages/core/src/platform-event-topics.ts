import type { PlatformEventType } from './platform-events.ts';
import type { BusTopic } from './ports/bus-port.ts';

/**
 * The bus topic of each platform event type, exhaustively: a type added to `PLATFORM_EVENT_TYPES` fails
 * to compile here until it has one. Provider-wide facts (a registered provider, a registered API client)
 * go on `providers`.
 */
export const PLATFORM_EVENT_TOPICS: Readonly<Record<PlatformEventType, BusTopic>> = {
  'connection.established': 'connections',
  'connection.retired': 'connections',
  'stream.status_changed': 'connections',
  'credential.rotated': 'credentials',
  'integration.failed': 'connections',
  'provider.registered': 'providers',
  'api_client.registered': 'providers',
  'webhook.dead_lettered': 'webhooks',
  'webhook.subscribed': 'webhooks',
  'webhook.delivered': 'webhooks',
  'webhook.disabled': 'webhooks',
  'dead_letter.replayed': 'webhooks',
  'dead_letters.threshold_crossed': 'webhooks',
  'dead_letters.recovered': 'webhooks',
  'run.completed': 'runs',
};
