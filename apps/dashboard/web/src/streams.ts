import { api } from './api.ts';
import { h, replace, table, time } from './dom.ts';
import type { Page, StreamHealth } from './types.ts';

/** Health as a colour and, for those who do not see it, a word. */
const HEALTH: Record<StreamHealth['status'], { colour: string; label: string }> = {
  ok: { colour: 'green', label: 'Healthy' },
  rate_limited: { colour: 'amber', label: 'Rate limited' },
  failing: { colour: 'red', label: 'Failing' },
  paused: { colour: 'grey', label: 'Paused' },
};

function cadence(stream: StreamHealth): string {
  const ms = stream.interval_ms;
  // No learned interval: the stream runs on its schedule.
  if (ms === null) return `${stream.schedule} (${stream.timezone})`;
  const every = ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
  return `every ${every}: ${stream.interval_reason}`;
}

/** The stream catalog: each poll stream's cadence, last success and health. */
export async function renderStreams(target: HTMLElement): Promise<void> {
  const { items } = await api<Page<StreamHealth>>('/api/v1/streams');
  if (items.length === 0) {
    replace(target, h('p', {}, 'No poll streams yet: connections of poll connectors add theirs.'));
    return;
  }
  const rows = items.map((stream) => {
    const health = HEALTH[stream.status];
    return h(
      'tr',
      {},
      h(
        'td',
        {},
        `${stream.connector_id} · ${stream.stream}`,
        h('div', { class: 'muted' }, stream.connection_id),
      ),
      h('td', {}, cadence(stream)),
      h('td', {}, time(stream.last_success_at)),
      h('td', {}, time(stream.next_run_at)),
      h(
        'td',
        {},
        h('span', { class: `dot ${health.colour}`, 'aria-hidden': 'true' }),
        health.label,
        stream.last_error === null ? null : h('div', { class: 'muted' }, stream.last_error.message),
      ),
    );
  });
  replace(target, table('Poll streams', ['Stream', 'Cadence', 'Last success', 'Next run', 'Health'], rows));
}
