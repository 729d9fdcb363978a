import { SluiceError } from '@sluice/core';
import type { FastifyServerOptions } from 'fastify';

/**
 * The answer to a request Node's HTTP parser refused before Fastify saw it (bad framing, a header too
 * large, a bad character), in the error contract, on a connection that then closes. A `null` means the
 * socket is already unwritable, so nothing is sent.
 */
export function clientErrorResponse(error: NodeJS.ErrnoException): Buffer {
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const body = JSON.stringify(
    (tooLarge
      ? new SluiceError('headers_too_large', 'The request headers are larger than 16 KiB in all.')
      : new SluiceError('invalid_request', 'The request is not well-formed HTTP/1.1.')
    ).toBody(),
  );
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  return Buffer.from(
    `HTTP/1.1 ${status}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Fastify's hook for those refusals: answers in the contract where the socket can still take it. */
export const clientErrorHandler: NonNullable<FastifyServerOptions['clientErrorHandler']> = (
  error,
  socket,
) => {
  if (socket.writable && (error as NodeJS.ErrnoException).code !== 'ECONNRESET') {
    socket.end(clientErrorResponse(error as NodeJS.ErrnoException));
  }
  socket.destroy(error);
};

/**
 * Fastify's own refusals before routing (a URL it cannot decode): `invalid_request`, in the contract,
 * instead of its default body.
 */
export const frameworkErrors = (
  error: Error,
  _request: unknown,
  reply: { status(code: number): { send(body: unknown): unknown } },
): void => {
  reply
    .status(400)
    .send(new SluiceError('invalid_request', `The URL cannot be decoded: ${error.message}`).toBody());
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route refuses U+0000 in its body itself, naming the field (emissions): the generic check skips it. */
    checksNulInBody?: boolean;
  }
}

/**
 * True when a decoded URL part or a parsed JSON body holds a NUL in a string or a key: no id, filter or
 * name contains one, and PostgreSQL refuses it in text, so the request is refused as malformed before any
 * query. Walks with a stack of its own (a body may nest deeper than the call stack) and skips raw bodies.
 */
export function hasNul(values: unknown): boolean {
  const pending: unknown[] = [values];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) return true;
        pending.push(item);
      }
    }
  }
  return false;
}
