import AjvCompiler from '@fastify/ajv-compiler';
import type { AnySchema } from 'ajv';
import type { AnyValidateFunction } from 'ajv/dist/core.js';

/**
 * Fastify's own validator compiler (ajv, with the options the app gives it), except that each route's
 * validator is compiled when it first validates a request rather than when the server starts. Compiling
 * every route's schemas (bodies, queries, params of ~60 routes) was 70–140 ms of each start, most of it
 * for routes a given process never serves; the first request of a route pays for its own (a few
 * milliseconds). The validator answers as ajv's does, with its `errors` on the function, where Fastify
 * reads them. (Fastify passes each route's definition, `{ schema, method, url, httpPart }`, where the
 * compiler's types say a schema.)
 */
export function lazyValidators(): AjvCompiler.BuildCompilerFromPool {
  const build = AjvCompiler();
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    return (route: AnySchema) => {
      let validate: AnyValidateFunction | undefined;
      const lazy = (data: unknown) => {
        validate ??= compile(route);
        const valid = validate(data);
        lazy.errors = validate.errors;
        return valid;
      };
      lazy.errors = undefined as AnyValidateFunction['errors'];
      return lazy as unknown as AnyValidateFunction;
    };
  };
}
