import type { Store } from '@sluice/core';
import { SluiceError } from '@sluice/core';
import type { FastifyRequest } from 'fastify';
import { hashApiKey, isAdminKey } from '../services/api-keys.ts';

/** Who is calling: a tenant (by its API key) or the operator (by the admin key). */
export type Caller = { readonly kind: 'tenant'; readonly tenantId: string } | { readonly kind: 'admin' };

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  if (match?.[1] === undefined) {
    throw new SluiceError(
      'unauthenticated',
      'Missing or malformed Authorization header; expected "Bearer <key>".',
    );
  }
  return match[1];
}

export async function authenticate(
  request: FastifyRequest,
  store: Store,
  adminKey: string | null,
): Promise<Caller> {
  const key = bearer(request);
  if (isAdminKey(key, adminKey)) return { kind: 'admin' };
  const record = await store.findApiKeyByHash(hashApiKey(key));
  if (record === null) throw new SluiceError('unauthenticated', 'The API key is not valid.');
  return { kind: 'tenant', tenantId: record.tenant_id };
}

/** The caller's tenant; the admin key acts for a tenant only through `X-Sluice-Tenant`. */
export async function tenantOf(
  request: FastifyRequest,
  store: Store,
  adminKey: string | null,
): Promise<string> {
  const caller = await authenticate(request, store, adminKey);
  if (caller.kind === 'tenant') return caller.tenantId;
  const header = request.headers['x-sluice-tenant'];
  if (typeof header === 'string' && header.length > 0) {
    if ((await store.getTenant(header)) === null)
      throw new SluiceError('tenant_not_found', `Tenant "${header}" does not exist.`);
    return header;
  }
  throw new SluiceError('forbidden', 'The admin key acts on a tenant only with an X-Sluice-Tenant header.');
}

/** Admin routes: an unknown key is unauthenticated (401); a valid tenant key is forbidden (403). */
export async function requireAdmin(
  request: FastifyRequest,
  store: Store,
  adminKey: string | null,
): Promise<void> {
  const caller = await authenticate(request, store, adminKey);
  if (caller.kind !== 'admin') throw new SluiceError('forbidden', 'This route needs the admin key.');
}
