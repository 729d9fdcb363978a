import { PLATFORM_CONNECTOR_ID, PLATFORM_EVENT_TYPES, PLATFORM_STREAM } from '@sluice/core';
import { defineConnector } from '@sluice/map';

/**
 * Sluice itself as a source. Its one stream is in `emit` mode: the platform hands these emissions to
 * ingest directly, so there is no webhook to verify, nothing to poll and no mapping.
 */
export const platformConnector = defineConnector({
  id: PLATFORM_CONNECTOR_ID,
  version: '1.0.0',
  description: "The platform's own events: connections, credentials, integrations, deliveries and runs.",
  streams: [{ key: PLATFORM_STREAM, mode: 'emit', events: PLATFORM_EVENT_TYPES }],
});
