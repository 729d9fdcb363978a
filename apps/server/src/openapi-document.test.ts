import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RouteOptions } from 'fastify';
import { openApiDocument } from './openapi-document.ts';

type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  responses?: Record<string, unknown>;
};
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

/** Routes the document leaves out on purpose: the document itself and the docs page's assets. */
/** The document itself, its viewer and the dashboard's page and files: not API operations. */
const UNDOCUMENTED = (url: string) =>
  url === '/openapi.json' ||
  url === '/docs' ||
  url.startsWith('/docs/') ||
  url === '/dashboard' ||
  url.startsWith('/dashboard/');

/** `/connections/:connection_id` → `/connections/{connection_id}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** What the API convention (docs/api.md, "Adding a route") asks of each route, broken rules all at once. */
function conventionProblems(
  doc: Document,
  routes: ReadonlyArray<{ method: string; url: string; hidden: boolean }>,
): string[] {
  const problems: string[] = [];
  const operationIds = new Map<string, string>();
  for (const { method, url, hidden } of routes) {
    const name = `${method} ${url}`;
    if (UNDOCUMENTED(url)) continue;
    if (hidden) {
      problems.push(`${name}: hidden from the document`);
      continue;
    }
    const operation = doc.paths[openApiPath(url)]?.[method.toLowerCase()];
    if (operation === undefined) {
      problems.push(`${name}: not in the document`);
      continue;
    }
    const id = operation.operationId;
    if (id === undefined || !/^[a-z][a-zA-Z0-9]*$/.test(id))
      problems.push(`${name}: operationId ${id} is not camelCase`);
    else if (operationIds.has(id))
      problems.push(`${name}: operationId ${id} is also ${operationIds.get(id)}`);
    else operationIds.set(id, name);
    if ((operation.summary ?? '').trim() === '') problems.push(`${name}: no summary`);
    if ((operation.tags ?? []).length === 0) problems.push(`${name}: no tags`);
    if (!Array.isArray(operation.security)) problems.push(`${name}: no security (use [] for a public route)`);
    if (!Object.keys(operation.responses ?? {}).some((status) => /^2\d\d$/.test(status))) {
      problems.push(`${name}: no 2xx response`);
    }
  }
  for (const component of Object.keys(doc.components.schemas)) {
    if (/^def-\d+$/.test(component)) problems.push(`component ${component}: a shared schema without an $id`);
  }
  return problems;
}

describe('the OpenAPI document', () => {
  const routes: Array<{ method: string; url: string; hidden: boolean }> = [];
  let doc: Document;
  before(async () => {
    doc = (await openApiDocument({
      onRoute: (route: RouteOptions) => {
        for (const method of [route.method].flat()) {
          // Fastify adds a HEAD beside each GET; the document describes the GET.
          if (method === 'HEAD') continue;
          routes.push({ method, url: route.url, hidden: route.schema?.hide === true });
        }
      },
    })) as unknown as Document;
  });

  it('documents every registered route with an operationId, summary, tags, security and a 2xx', () => {
    assert.ok(routes.length > 40, `saw ${routes.length} routes`);
    assert.deepEqual(conventionProblems(doc, routes), []);
  });

  it('names its shared schemas, the error body among them', () => {
    const names = Object.keys(doc.components.schemas);
    for (const name of ['Error', 'Envelope', 'Connection', 'Trigger', 'Job', 'DeadLetter', 'Subscription']) {
      assert.ok(names.includes(name), `component ${name}`);
    }
    const error = doc.paths['/api/v1/connections']?.['get']?.responses?.['401'] as {
      content: Record<string, { schema: { $ref: string } }>;
    };
    assert.equal(error.content['application/json']?.schema.$ref, '#/components/schemas/Error');
  });

  it('documents the ingest bodies and the event stream', () => {
    const webhook = doc.paths['/api/v1/webhooks/{connector}/{tenant_id}']?.['post'] as {
      requestBody?: { content: Record<string, unknown> };
    };
    assert.ok(webhook.requestBody?.content['application/json'] !== undefined);
    assert.ok(webhook.requestBody?.content['application/cloudevents+json'] !== undefined);
    const tail = doc.paths['/api/v1/events/stream']?.['get']?.responses?.['200'] as {
      content: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(tail.content), ['text/event-stream']);
  });

  it('reports a route that breaks the convention, every rule at once', () => {
    const broken: Document = {
      paths: {
        '/things/{id}': { get: { responses: { '404': {} } }, post: { operationId: 'listThings' } },
        '/others': {
          get: {
            operationId: 'listThings',
            summary: 'Others',
            tags: ['t'],
            security: [],
            responses: { '200': {} },
          },
        },
      },
      components: { schemas: { 'def-0': {} } },
    };
    const problems = conventionProblems(broken, [
      { method: 'GET', url: '/things/:id', hidden: false },
      { method: 'POST', url: '/things/:id', hidden: false },
      { method: 'PUT', url: '/things/:id', hidden: false },
      { method: 'GET', url: '/secret', hidden: true },
      { method: 'GET', url: '/others', hidden: false },
    ]);
    assert.deepEqual(problems, [
      'GET /things/:id: operationId undefined is not camelCase',
      'GET /things/:id: no summary',
      'GET /things/:id: no tags',
      'GET /things/:id: no security (use [] for a public route)',
      'GET /things/:id: no 2xx response',
      'POST /things/:id: no summary',
      'POST /things/:id: no tags',
      'POST /things/:id: no security (use [] for a public route)',
      'POST /things/:id: no 2xx response',
      'PUT /things/:id: not in the document',
      'GET /secret: hidden from the document',
      'GET /others: operationId listThings is also POST /things/:id',
      'component def-0: a shared schema without an $id',
    ]);
  });
});
