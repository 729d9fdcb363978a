import type { Connection, StreamSchedule } from '@sluice/core';
import type { PollPass, PollPassResult } from './poll-pass.ts';

export type { PollPassResult } from './poll-pass.ts';

/** Runs one poll pass over a claimed stream: `from` null (since the stream's cursor) to now. */
export interface StreamRunner {
  run(
    stream: StreamSchedule,
    window: { readonly from: string | null; readonly to: string },
    signal: AbortSignal,
  ): Promise<PollPassResult>;
}

/** The changes a pass found, for the adaptive interval: envelopes stored anew (synthetic changes included). */
export const changesOf = (result: PollPassResult): number => result.emitted;

export interface PollPassRunnerDeps {
  readonly pass: Pick<PollPass, 'run'>;
  /** The stream's connection, or null when it is gone or retired. */
  readonly connection: (tenantId: string, connectionId: string) => Promise<Connection | null>;
}

const nothing = {
  pages: 0,
  records: 0,
  emitted: 0,
  duplicates: 0,
  changes: { created: 0, updated: 0, deleted: 0 },
};

/** The scheduler's runner over the poll pass: live mode, the stream's own cursor. */
export function pollPassRunner(deps: PollPassRunnerDeps): StreamRunner {
  return {
    async run(stream, window, signal) {
      const connection = await deps.connection(stream.tenant_id, stream.connection_id);
      if (connection === null || connection.status !== 'active') {
        return { status: 'failed', ...nothing, error: `connection ${stream.connection_id} is not active` };
      }
      return deps.pass.run({ connection, stream: stream.stream, window, mode: 'live', signal });
    },
  };
}
