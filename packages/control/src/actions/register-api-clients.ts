import {
  type Connector,
  type EventLog,
  entityKey,
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
  const registered = await registeredVersions(deps.events, 'api_client.registered');
  // All at once, so the emits share one group commit; the ids keep the connectors' order.
  const published = await Promise.all(
    deps.connectors.list().map(async (connector) => {
      if (connector.id === PLATFORM_CONNECTOR_ID) return null;
      const fact = apiClientRegistration(connector);
      if (fact === null || connector.api === null) return null;
      if (registered.get(`api_client:${connector.id}`)?.has(connector.api.version) === true) return null;
      await deps.platform.emit(SYSTEM_TENANT_ID, fact);
      return connector.id;
    }),
  );
  return published.filter((id) => id !== null);
}

/**
 * The versions the system tenant's stored `eventType` facts name, by entity key (`provider:stripe` →
 * {`1.2.0`}): one read of those facts, page by page, for every connector of a start (each connector's
 * check of its own was a query of its own, a fifth of an embedded first start).
 */
export async function registeredVersions(
  events: Pick<EventLog, 'query'>,
  eventType: 'api_client.registered' | 'provider.registered',
): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
  const versions = new Map<string, Set<string>>();
  let after: string | undefined;
  do {
    const page = await events.query(
      SYSTEM_TENANT_ID,
      { event_type: eventType },
      { limit: 500, ...(after === undefined ? {} : { after }) },
    );
    for (const envelope of page.items) {
      const key = entityKey(envelope.payload);
      const version = envelope.payload['version'];
      if (key === null || typeof version !== 'string') continue;
      const known = versions.get(key) ?? new Set<string>();
      known.add(version);
      versions.set(key, known);
    }
    after = page.next ?? undefined;
  } while (after !== undefined);
  return versions;
}
