import { type ErrorCode, SluiceError } from '@sluice/core';
import { isDataError } from '@sluice/store';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Metrics } from '../services/metrics.ts';
import { RouteMethods } from './route-methods.ts';

/** Fastify's own error codes for client mistakes, mapped to ours, with messages in our words. */
const FASTIFY_CODES: Record<
  string,
  { code: ErrorCode; message: (error: FastifyError, contentType: string) => string }
> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'invalid_json',
    message: (_e, contentType) =>
      `The body is not valid JSON, though Content-Type is ${JSON.stringify(contentType)}.`,
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'invalid_json',
    message: () => 'The body is empty; send a JSON object.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'payload_too_large',
    message: () => 'The body is larger than the configured limit.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    message: (_e, contentType) =>
      `Content-Type ${JSON.stringify(contentType)} is not accepted; send application/json.`,
  },
  FST_ERR_CTP_INVALID_TYPE: {
    code: 'unsupported_media_type',
    message: (_e, contentType) =>
      `Content-Type ${JSON.stringify(contentType)} is not accepted; send application/json.`,
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'invalid_request',
    message: () => 'The Content-Length header does not match the body.',
  },
};

/** Turns anything thrown by a route into `{ error: { code, message, details? } }` with the right status. */
export function toSluiceError(error: unknown, contentType = ''): SluiceError {
  if (error instanceof SluiceError) return error;
  const fastifyError = error as FastifyError & { validation?: unknown; validationContext?: string };
  if (fastifyError.validation !== undefined) {
    return new SluiceError(
      'invalid_request',
      `Invalid ${fastifyError.validationContext ?? 'request'}: ${fastifyError.message}.`,
      {
        details: fastifyError.validation,
      },
    );
  }
  const mapped = typeof fastifyError.code === 'string' ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped !== undefined) return new SluiceError(mapped.code, mapped.message(fastifyError, contentType));
  if (error instanceof SyntaxError)
    return new SluiceError('invalid_json', `The body is not valid JSON: ${error.message}.`);
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return new SluiceError('invalid_request', fastifyError.message);
  }
  // SQLSTATE class 22: a value from the request the database cannot hold (a NUL character, say).
  if (isDataError(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new SluiceError('invalid_request', `The request holds a value the store cannot keep: ${reason}.`);
  }
  return new SluiceError('internal', 'Internal error.', { cause: error });
}

export function installErrorHandlers(app: FastifyInstance, metrics: Metrics): void {
  app.setErrorHandler((error, request, reply) => {
    const sluiceError = toSluiceError(error, request.headers['content-type'] ?? '');
    metrics.noteError(request, sluiceError.code);
    if (sluiceError.status >= 500) {
      request.log.error({ err: sluiceError.cause ?? error, code: sluiceError.code }, sluiceError.message);
    } else {
      request.log.info({ code: sluiceError.code }, sluiceError.message);
    }
    if (sluiceError.retryAfter !== undefined) reply.header('retry-after', String(sluiceError.retryAfter));
    return reply.status(sluiceError.status).send(sluiceError.toBody());
  });
  const routes = new RouteMethods();
  app.addHook('onRoute', (route) => routes.add(route.method, route.url));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = routes.allowed(path);
    // A route that answers this method but found nothing (a static file that is not there) is a 404.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      const error = new SluiceError(
        'method_not_allowed',
        `${path} answers ${allowed.join(', ')}, not ${request.method}.`,
      );
      metrics.noteError(request, error.code);
      return reply.status(405).header('allow', allowed.join(', ')).send(error.toBody());
    }
    const error = new SluiceError('not_found', `No route ${request.method} ${path}.`);
    metrics.noteError(request, error.code);
    return reply.status(404).send(error.toBody());
  });
}
