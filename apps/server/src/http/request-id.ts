import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What an inbound `x-request-id` may look like to be kept: short, printable, no separators that split logs. */
const ACCEPTABLE = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * The request's id: the caller's `x-request-id` when it is a sane token (so a proxy's or client's id
 * follows the request through the logs), else a new UUID. Answered in the `x-request-id` header.
 */
export function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && ACCEPTABLE.test(given) ? given : randomUUID();
}
