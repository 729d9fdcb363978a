import { hashApiKey, isAdminKey } from '@sluice/control';
import { SluiceError, type TenancyStore } from '@sluice/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Who is calling: a tenant (by its API key) or the operator (by the admin key). */
export type Caller = { readonly kind: 'tenant'; readonly tenantId: string } | { readonly kind: 'admin' };

/** What a route asks of its caller: a tenant (the default for secured routes) or the admin key. */
export type RouteAuth = 'tenant' | 'admin' | 'any';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on admin routes; a route whose schema declares a `security` requirement is a tenant route otherwise. */
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** The caller's tenant, set before the handler of every tenant route. */
    tenantId: string;
  }
}

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

async function authenticate(
  request: FastifyRequest,
  tenancy: Pick<TenancyStore, 'findApiKeyByHash'>,
  adminKey: string | null,
): Promise<Caller> {
  const key = bearer(request);
  if (isAdminKey(key, adminKey)) return { kind: 'admin' };
  const record = await tenancy.findApiKeyByHash(hashApiKey(key));
  if (record === null) throw new SluiceError('unauthenticated', 'The API key is not valid.');
  return { kind: 'tenant', tenantId: record.tenant_id };
}

/**
 * Authentication as one hook: a route whose schema declares a `security` requirement needs a tenant API key (the admin
 * key acts for a tenant only through `X-Sluice-Tenant`), and `config: { auth: 'admin' }` needs the admin
 * key, `'any'` any valid key. It runs after validation, and the handler reads `request.tenantId`.
 */
export function installAuth(
  app: FastifyInstance,
  deps: { tenancy: Pick<TenancyStore, 'findApiKeyByHash' | 'getTenant'>; adminKey: string | null },
): void {
  app.decorateRequest('tenantId', '');
  // Callback style, so that an unsecured route (webhooks) costs no promise per request.
  app.addHook('preHandler', (request, _reply, done) => {
    const auth = request.routeOptions.config.auth;
    // `security: []` is OpenAPI's "no authentication" (health, webhooks signed by their sender).
    const secured = auth !== undefined || (request.routeOptions.schema?.security?.length ?? 0) > 0;
    if (!secured) return done();
    authorize(request, auth).then(() => done(), done);
  });

  async function authorize(request: FastifyRequest, auth: RouteAuth | undefined): Promise<void> {
    const caller = await authenticate(request, deps.tenancy, deps.adminKey);
    if (auth === 'any') return;
    if (auth === 'admin') {
      if (caller.kind !== 'admin') throw new SluiceError('forbidden', 'This route needs the admin key.');
      return;
    }
    if (caller.kind === 'tenant') {
      request.tenantId = caller.tenantId;
      // The request's log lines from here on say whose request it is.
      request.log = request.log.child({ tenant_id: caller.tenantId });
      return;
    }
    const header = request.headers['x-sluice-tenant'];
    if (typeof header !== 'string' || header.length === 0) {
      throw new SluiceError(
        'forbidden',
        'The admin key acts on a tenant only with an X-Sluice-Tenant header.',
      );
    }
    if ((await deps.tenancy.getTenant(header)) === null) {
      throw new SluiceError('tenant_not_found', `Tenant "${header}" does not exist.`);
    }
    request.tenantId = header;
    request.log = request.log.child({ tenant_id: header });
  }
}
