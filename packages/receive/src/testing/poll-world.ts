import type { Connection, Connector, PollHandler, Stores } from '@sluice/core';
import { createIngestor } from '@sluice/ingest';
import { defineConnector } from '@sluice/map';
import { PollPass } from '../poll/poll-pass.ts';

/** A connector with one records stream (`customers`, change detection) handled by `handler`. */
export function recordsConnector(handler: PollHandler, snapshot = false): Connector {
  return defineConnector({
    id: 'test-records',
    streams: [
      {
        key: 'customers',
        mode: 'poll',
        events: ['customer.created', 'customer.updated', 'customer.deleted'],
        changes: {
          entity_kind: 'customer',
          id_field: 'id',
          event_prefix: 'customer',
          ignore_fields: ['fetched_at'],
          snapshot,
        },
      },
    ],
    poll: { customers: handler },
  });
}

/** A store, a connection of `connector`, a clock the test moves, and a PollPass over them. */
export async function pollWorld(db: { store(options: { now: () => Date }): Stores }, connector: Connector) {
  let now = new Date('2026-06-01T00:00:00.000Z');
  const clock = () => now;
  const store: Stores = db.store({ now: clock });
  await store.maintenance.migrate();
  const tenant = await store.tenancy.createTenant({ name: `poll ${Math.random()}` });
  const connectionNamed = (name: string): Promise<Connection> =>
    store.connections.create({
      tenant_id: tenant.id,
      workspace_id: null,
      connector_id: connector.id,
      name,
      config: {},
      secret_ciphertext: 'v1:x',
    });
  const connection = await connectionNamed('poll');
  const connectors = { get: (id: string) => (id === connector.id ? connector : null) };
  const ingestor = createIngestor({ events: store.events, connectors, now: clock });
  const pass = new PollPass({ connectors, ingestor, events: store.events, now: clock });
  return {
    store,
    connection,
    pass,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
    /** Another connection of the same connector in the same tenant. */
    connectionNamed,
    run(
      extra: { mode?: 'live' | 'quiet'; cursorKey?: string; dedupeAgainstLog?: boolean } = {},
      of: Connection = connection,
    ) {
      return pass.run({
        connection: of,
        stream: 'customers',
        window: { from: null, to: now.toISOString() },
        mode: extra.mode ?? 'live',
        signal: new AbortController().signal,
        ...(extra.cursorKey === undefined ? {} : { cursorKey: extra.cursorKey }),
        ...(extra.dedupeAgainstLog === undefined ? {} : { dedupeAgainstLog: extra.dedupeAgainstLog }),
      });
    },
  };
}
