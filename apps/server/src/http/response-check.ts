import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { SluiceError, TIMESTAMP_PATTERN } from '@sluice/core';
import type { FastifyInstance } from 'fastify';

if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set('date-time', (value) => TIMESTAMP_PATTERN.test(value));
if (!FormatRegistry.Has('uuid')) {
  FormatRegistry.Set('uuid', (value) =>
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
  );
}

/**
 * Holds every success answer to the schema its route documents: a body the schema does not describe fails
 * the request with `500 internal` naming the route and the first mismatch. The test app turns it on, so
 * every API test also checks the OpenAPI document against what the server really sends.
 */
export function installResponseCheck(app: FastifyInstance, shared: ReadonlyArray<TSchema>): void {
  const checks = new WeakMap<object, TypeCheck<TSchema>>();
  app.addHook('preSerialization', async (request, reply, payload) => {
    const responses = request.routeOptions.schema?.response as Record<string, TSchema> | undefined;
    const schema = responses?.[String(reply.statusCode)];
    // Errors go through one handler and one schema; `content` maps (the tail, metrics) are not JSON.
    if (reply.statusCode >= 300 || schema === undefined || 'content' in schema) return payload;
    let check = checks.get(schema);
    if (check === undefined) {
      check = TypeCompiler.Compile(schema, [...shared]);
      checks.set(schema, check);
    }
    if (!check.Check(payload)) {
      const first = check.Errors(payload).First();
      throw new SluiceError(
        'internal',
        `${request.method} ${request.routeOptions.url} answered ${reply.statusCode} with a body its response schema does not describe: ${first?.path ?? ''} ${first?.message ?? ''} (got ${JSON.stringify(first?.value)}).`,
      );
    }
    return payload;
  });
}
