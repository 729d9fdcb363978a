import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Json } from './json.ts';

/**
 * Asserts an answer is the API's error shape, `{ error: { code, message, details? } }` and nothing else, with
 * `status` and `code` and a message that says something; answers the error object.
 */
export function assertErrorBody(actualStatus: number, body: unknown, status: number, code: string): Json {
  assert.equal(actualStatus, status, JSON.stringify(body));
  assert.ok(typeof body === 'object' && body !== null && !Array.isArray(body), 'the body is a JSON object');
  assert.deepEqual(Object.keys(body), ['error']);
  const error = (body as Json)['error'] as Json;
  assert.equal(error['code'], code);
  assert.equal(typeof error['message'], 'string');
  assert.ok((error['message'] as string).length > 0);
  assert.ok(Object.keys(error).every((key) => ['code', 'message', 'details'].includes(key)));
  return error;
}

/** {@link assertErrorBody} of an `app.inject` response. */
export function assertError(response: LightMyRequestResponse, status: number, code: string): Json {
  assert.equal(response.statusCode, status, response.body);
  return assertErrorBody(response.statusCode, response.json(), status, code);
}
