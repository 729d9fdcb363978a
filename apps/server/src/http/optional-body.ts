import type { FastifyRequest } from 'fastify';

/** For routes whose body is all optional fields: no body at all means `{}`, not a validation error. */
export async function optionalBody(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}
