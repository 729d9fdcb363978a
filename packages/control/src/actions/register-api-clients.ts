import {
  type Connector,
  type EventLog,
  PLATFORM_CONNECTOR_ID,
  type PlatformEventInput,
  platformDedupeKey,
  SYSTEM_TENANT_ID,
} from '@sluice/core';
import type { PlatformEvents } from '@sluice/ingest';

/** What `registerApiClients` stands on. */
export interface RegisterApiClientsDeps {
  readonly connectors: { list(): ReadonlyArray<Connector> };
  readonly platform: Pick<PlatformEvents, 'emit' | 'ensureSystemTenant'>;
  readonly events: Pick<EventLog, 'query'>;
}

/** The `api_client.registered` fact of a connector's API client (null without an `api`). */
export function apiClientRegistration(connector: Connector): PlatformEventInput | null {
  if (connector.api === null) return null;
  const entity = { kind: 'api_client', id: connector.id };
  return {
    event_type: 'api_client.registered',
    entity,
    dedupe_key: platformDedupeKey(entity, 'registered', connector.api.version),
    payload: {
      connector: connector.id,
      connector_version: connector.version,
      version: connector.api.version,
      base_url_config_key: connector.api.baseUrlConfigKey,
      auth: connector.api.auth.type,
      actions: [...connector.actions.keys()],
    },
  };
}

/**
 * Publishes `api_client.registered` on the system tenant for each connector with an `api`, once per API
 * version: at start, beside `provider.registered`. A version already among the stored facts is not
 * published again (the dedupe key covers concurrent starts; it expires, so restarts look at the facts).
 * Returns the connector ids it published for.
 */
export async function registerApiClients(deps: RegisterApiClientsDeps): Promise<string[]> {
  await deps.platform.ensureSystemTenant();
  // All at once, so the emits share one group commit; the ids keep the connectors' order.
  const published = await Promise.all(
    deps.connectors.list().map(async (connector) => {
      if (connector.id === PLATFORM_CONNECTOR_ID) return null;
      const fact = apiClientRegistration(connector);
      if (fact === null || connector.api === null) return null;
      if (await isRegistered(deps.events, connector.id, connector.api.version)) return null;
      await deps.platform.emit(SYSTEM_TENANT_ID, fact);
      return connector.id;
    }),
  );
  return published.filter((id) => id !== null);
}

async function isRegistered(
  events: Pick<EventLog, 'query'>,
  connectorId: string,
  version: string,
): Promise<boolean> {
  let after: string | undefined;
  do {
    const page = await events.query(
      SYSTEM_TENANT_ID,
      { event_type: 'api_client.registered', entity: `api_client:${connectorId}` },
      { limit: 100, ...(after === undefined ? {} : { after }) },
    );
    if (page.items.some((envelope) => envelope.payload['version'] === version)) return true;
    after = page.next ?? undefined;
  } while (after !== undefined);
  return false;
}
