import { writeFile } from 'node:fs/promises';
import { cronConnector, exampleConnectors, platformConnector } from '@sluice/connectors';
import { SecretBox } from '@sluice/control';
import { createPgliteClient, SqlStores } from '@sluice/store';
import type { RouteOptions } from 'fastify';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createContext } from './create-context.ts';

/**
 * The OpenAPI document of the full API, built from the routes themselves with no server, network or
 * database: the app is built over an empty in-memory store (never migrated, never queried) and asked for
 * its document. `npm run check` lints what this returns.
 */
export async function openApiDocument(
  options: { onRoute?: (route: RouteOptions) => void } = {},
): Promise<Record<string, unknown>> {
  const client = await createPgliteClient();
  try {
    const ctx = createContext({
      // Defaults only, so the document does not depend on the caller's environment.
      config: loadConfig({}),
      store: new SqlStores(client),
      connectors: [...exampleConnectors, platformConnector, cronConnector],
      // Nothing is sealed or opened: building the routes needs a box, not a key.
      secretBox: new SecretBox(Buffer.alloc(32)),
      defaultMetrics: false,
    });
    const app = await buildApp(ctx, options);
    try {
      await app.ready();
      return app.swagger() as unknown as Record<string, unknown>;
    } finally {
      await app.close();
    }
  } finally {
    await client.close();
  }
}

/** `node apps/server/src/openapi-document.ts <file>` writes the document (to stdout without a file). */
if (import.meta.main) {
  const document = `${JSON.stringify(await openApiDocument(), null, 2)}\n`;
  const file = process.argv[2];
  if (file === undefined) process.stdout.write(document);
  else await writeFile(file, document);
}
