import { type IssuedApiKey, TenantWorkflows } from '@sluice/control';
import { SYSTEM_TENANT_ID } from '@sluice/core';
import { type Config, ConfigError } from './config.ts';
import { withStore } from './store-access.ts';

export interface CreateKeyRequest {
  /** The tenant to issue the key for; when absent, the only tenant there is (the dev tenant). */
  readonly tenantId?: string;
  readonly name: string;
}

/**
 * `sluice keys create`: issues an API key straight into the store, for an operator who lost the dev key
 * (which is shown once) or has no admin key yet. It opens the store as the server does: an embedded data
 * directory only while no server holds it.
 */
export async function createKeyInStore(config: Config, request: CreateKeyRequest): Promise<IssuedApiKey> {
  return withStore(config, 'create the key over the API with the admin key', async (store) => {
    const tenantId = request.tenantId ?? (await onlyTenant(store.tenancy));
    return new TenantWorkflows(store).issueKey(tenantId, request.name);
  });
}

async function onlyTenant(tenancy: TenantWorkflowsStores['tenancy']): Promise<string> {
  const tenants = (await tenancy.listTenants()).filter((t) => t.id !== SYSTEM_TENANT_ID);
  const [first] = tenants;
  if (first === undefined) {
    throw new ConfigError('There is no tenant yet: start `sluice dev` once, or create one over the API.');
  }
  if (tenants.length > 1) {
    throw new ConfigError(
      `There are ${tenants.length} tenants; name one with --tenant: ${tenants.map((t) => `${t.id} (${t.name})`).join(', ')}.`,
    );
  }
  return first.id;
}

type TenantWorkflowsStores = ConstructorParameters<typeof TenantWorkflows>[0];
