import { type ErrorCode, SluiceError } from '@sluice/core';
import type { FastifyError, FastifyInstance } from 'fastify';

/** Fastify's own error codes for client mistakes, mapped to ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
};

/** Turns anything thrown by a route into `{ error: { code, message, details? } }` with the right status. */
export function toSluiceError(error: unknown): SluiceError {
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
  if (mapped !== undefined) return new SluiceError(mapped, fastifyError.message);
  if (error instanceof SyntaxError)
    return new SluiceError('invalid_json', `The body is not valid JSON: ${error.message}.`);
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return new SluiceError('invalid_request', fastifyError.message);
  }
  return new SluiceError('internal', 'Internal error.', { cause: error });
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const sluiceError = toSluiceError(error);
    if (sluiceError.status >= 500) {
      request.log.error({ err: sluiceError.cause ?? error, code: sluiceError.code }, sluiceError.message);
    } else {
      request.log.info({ code: sluiceError.code }, sluiceError.message);
    }
    if (sluiceError.retryAfter !== undefined) reply.header('retry-after', String(sluiceError.retryAfter));
    return reply.status(sluiceError.status).send(sluiceError.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new SluiceError('not_found', `No route ${request.method} ${request.url.split('?')[0]}.`);
    return reply.status(404).send(error.toBody());
  });
}
