import fastifyStatic from '@fastify/static';
import { SluiceError } from '@sluice/core';
import { DASHBOARD_BUILD_COMMAND, DASHBOARD_DIST_DIR, dashboardBuilt } from '@sluice/dashboard';
import type { FastifyPluginAsync } from 'fastify';

/**
 * The page may load only its own files and talk only to this server: no CDN, no inline script. The API key
 * the operator types stays in the tab (sessionStorage) and goes out only in the Authorization header.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The dashboard's static files under `/dashboard/` (the page is public; every datum it shows comes from the
 * API with the operator's tenant key). Without a build, `/dashboard` answers `503 dashboard_not_built`
 * naming the command that builds it.
 */
export function dashboardRoutes(options: { dir?: string } = {}): FastifyPluginAsync {
  const dir = options.dir ?? DASHBOARD_DIST_DIR;
  return async (app) => {
    if (!dashboardBuilt(dir)) {
      const notBuilt = async (): Promise<never> => {
        throw new SluiceError(
          'dashboard_not_built',
          `The dashboard is not built (no index.html in ${dir}). Run \`${DASHBOARD_BUILD_COMMAND}\` (npm install runs it), then restart Sluice.`,
        );
      };
      app.get('/dashboard', { schema: { hide: true } }, notBuilt);
      app.get('/dashboard/*', { schema: { hide: true } }, notBuilt);
      return;
    }
    app.get('/dashboard', { schema: { hide: true } }, async (_request, reply) =>
      reply.redirect('/dashboard/', 308),
    );
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/dashboard/',
      index: 'index.html',
      redirect: false,
      decorateReply: false,
      setHeaders(reply, path) {
        reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
        reply.header('x-content-type-options', 'nosniff');
        reply.header('referrer-policy', 'no-referrer');
        // Assets carry a content hash in their names; the page itself is revalidated.
        reply.header(
          'cache-control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  };
}
