import { defineConnector } from '@sluice/map';
import { HTTP_POLL_ID_FIELD, pollHttpJson } from './http-poll-fetch.ts';

const incremental = (config: Readonly<Record<string, unknown>>): boolean => config['mode'] === 'incremental';

/**
 * A generic poll connector for JSON APIs. Config: `url`; `records_path` (the record array; the body when
 * absent); `id_field`; `mode` `snapshot` (default: every pass reads all records; a record gone from a
 * complete pass is deleted) or `incremental` (`cursor_param`, `cursor_field`); optional `headers`,
 * `auth_token` (sealed) with `auth_scheme` `bearer`, `basic` or `header` (`auth_header`). Records go
 * through change detection: `record.created|updated|deleted` (snapshot) or `entry.created|updated`
 * (incremental), each with a field diff.
 */
export const httpPollConnector = defineConnector({
  id: 'http-poll',
  description: 'Polls a JSON API and reports its records as created, updated and deleted',
  streams: [
    {
      key: 'snapshot',
      mode: 'poll',
      schedule: '* * * * *',
      events: ['record.created', 'record.updated', 'record.deleted'],
      changes: {
        entity_kind: 'record',
        id_field: HTTP_POLL_ID_FIELD,
        event_prefix: 'record',
        snapshot: true,
      },
      active: (config) => !incremental(config),
    },
    {
      key: 'incremental',
      mode: 'poll',
      schedule: '* * * * *',
      events: ['entry.created', 'entry.updated'],
      changes: { entity_kind: 'record', id_field: HTTP_POLL_ID_FIELD, event_prefix: 'entry' },
      active: incremental,
    },
  ],
  poll: {
    snapshot: (ctx, request) => pollHttpJson(ctx, request, () => new Date()),
    incremental: (ctx, request) => pollHttpJson(ctx, request, () => new Date()),
  },
  secretConfig: ['auth_token'],
});
