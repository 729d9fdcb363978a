import type { ConnectionStore } from '@sluice/core';
import type { ConnectionFor } from '@sluice/execute';
import { openConfig } from '../connection-config.ts';
import type { SecretBox } from '../secret-box.ts';

/** What `connectionForAction` reads. */
export interface ConnectionForActionDeps {
  readonly connections: Pick<ConnectionStore, 'get'>;
  readonly secretBox: SecretBox;
}

/**
 * The connector runner's `connectionFor`: the tenant's connection by id (another tenant's is not found),
 * with its config's sealed credentials opened for the action's API client. The runner refuses a retired one.
 */
export function connectionForAction(deps: ConnectionForActionDeps): ConnectionFor {
  return async (tenantId, connectionId) => {
    const connection = await deps.connections.get(tenantId, connectionId);
    if (connection === null || connection.tenant_id !== tenantId) return null;
    return { connection, config: openConfig(deps.secretBox, connection.id, connection.config) };
  };
}
