import type { SqlClient } from '../sql-client.ts';

/**
 * Waits until every transaction that began before this call has ended, so a reader by position sees all
 * that the caller committed. On a shared PostgreSQL cluster a writing transaction anywhere (another test
 * file, another database) holds the commit horizon back for as long as it runs; PGlite runs one
 * transaction at a time and never waits.
 */
export async function waitForHorizon(client: SqlClient, timeoutMs = 20_000): Promise<void> {
  if (client.dialect === 'pglite') return;
  const [probe] = await client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await client.query<{ passed: boolean }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::text::xid8 AS passed',
      [probe?.xid],
    );
    if (row?.passed === true) return;
    if (Date.now() > deadline) {
      throw new Error(`the commit horizon did not pass xid ${probe?.xid} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
