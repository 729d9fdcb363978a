import { CRON_CONNECTOR_ID, CRON_STREAM, CRON_TICK_EVENT_TYPE } from '@sluice/core';
import { defineConnector } from '@sluice/map';

/**
 * The built-in `cron` source: `cron.tick` on the slots of the schedules a tenant creates
 * (`POST /api/v1/schedules`). Emitted by the scheduler (origin `schedule`, so P3), nothing is received.
 */
export const cronConnector = defineConnector({
  id: CRON_CONNECTOR_ID,
  version: '1.0.0',
  description: 'Ticks on the cron schedules a tenant creates',
  streams: [{ key: CRON_STREAM, mode: 'emit', events: [CRON_TICK_EVENT_TYPE] }],
});
