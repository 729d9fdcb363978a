import { type Static, Type } from '@sinclair/typebox';
import { STREAM_STATUSES, type StreamSchedule } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { listOf } from '../http/resource-schemas.ts';
import { answer, errors } from '../http/schemas.ts';

const ListQuery = Type.Object({
  connection_id: Type.Optional(Type.String({ minLength: 1 })),
  status: Type.Optional(Type.Union(STREAM_STATUSES.map((status) => Type.Literal(status)))),
});
const Params = Type.Object({ connection_id: Type.String(), key: Type.String() });

/** A stream's health as the API shows it (lease and learned history stay inside). */
export function streamHealth(stream: StreamSchedule): Record<string, unknown> {
  return {
    connection_id: stream.connection_id,
    connector_id: stream.connector_id,
    stream: stream.stream,
    mode: 'poll',
    schedule: stream.schedule,
    timezone: stream.timezone,
    interval_ms: stream.interval_ms,
    interval_reason: stream.interval_reason,
    settings: stream.settings,
    next_run_at: stream.next_run_at,
    status: stream.status,
    rate_limited_until: stream.rate_limited_until,
    last_run_at: stream.last_run_at,
    last_success_at: stream.last_success_at,
    last_error:
      stream.last_error_at === null ? null : { at: stream.last_error_at, message: stream.last_error },
    records: stream.records,
    envelopes: stream.envelopes,
  };
}

/** Poll streams' health, and pause, resume and run now. */
export function streamRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const secured = { tags: ['streams'], security: [{ apiKey: [] }] };

    app.get<{ Querystring: Static<typeof ListQuery> }>(
      '/api/v1/streams',
      {
        schema: {
          ...secured,
          operationId: 'listStreams',
          summary: 'List poll streams',
          description:
            "The caller's poll streams: schedule, current interval and why, next run, last success and error, status (ok, failing, rate_limited, paused), records and envelopes counted.",
          querystring: ListQuery,
          response: { 200: answer("The caller's poll streams.", listOf('Stream')), ...errors(400, 401) },
        },
      },
      async (request) => {
        const { connection_id, status } = request.query;
        const streams = await ctx.control.streams.list(request.tenantId, {
          ...(connection_id === undefined ? {} : { connection_id }),
          ...(status === undefined ? {} : { status }),
        });
        return { items: streams.map(streamHealth) };
      },
    );

    const action = (
      verb: 'pause' | 'resume' | 'run',
      operation: { operationId: string; summary: string },
      description: string,
      act: (ref: { tenant_id: string; connection_id: string; stream: string }) => Promise<StreamSchedule>,
    ): void => {
      app.post<{ Params: Static<typeof Params> }>(
        `/api/v1/connections/:connection_id/streams/:key/${verb}`,
        {
          schema: {
            ...secured,
            ...operation,
            description,
            params: Params,
            response: {
              200: answer('The stream as it is now.', Type.Object({ stream: Type.Ref('Stream') })),
              ...errors(401, 404),
            },
          },
        },
        async (request) => {
          const ref = {
            tenant_id: request.tenantId,
            connection_id: request.params.connection_id,
            stream: request.params.key,
          };
          return { stream: streamHealth(await act(ref)) };
        },
      );
    };
    action(
      'pause',
      { operationId: 'pauseStream', summary: 'Pause a poll stream' },
      'Pause a poll stream: it is not run until resumed.',
      (ref) => ctx.control.streams.setPaused(ref, true),
    );
    action(
      'resume',
      { operationId: 'resumeStream', summary: 'Resume a poll stream' },
      'Resume a paused poll stream.',
      (ref) => ctx.control.streams.setPaused(ref, false),
    );
    action(
      'run',
      { operationId: 'runStream', summary: 'Run a poll stream now' },
      'Run a poll stream now (a paused stream stays paused).',
      (ref) => ctx.control.streams.runNow(ref),
    );
  };
}
