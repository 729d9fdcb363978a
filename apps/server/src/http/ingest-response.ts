import type { ElementResult } from '@sluice/ingest';

/** The body of a committed ingest (`IngestResponse`): per-element results and their counts. */
export function ingestResponse(connectionId: string, results: ReadonlyArray<ElementResult>) {
  const accepted = results.filter((r) => r.status === 'accepted').length;
  return {
    status: 'ok' as const,
    connection_id: connectionId,
    accepted,
    duplicates: results.length - accepted,
    results,
  };
}
