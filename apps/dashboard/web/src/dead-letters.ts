import { ApiError, api, query } from './api.ts';
import { h, hidden, replace, table, time } from './dom.ts';
import type { DeadLetter, Page } from './types.ts';

function decoded(base64: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
  } catch {
    return base64;
  }
}

/**
 * Pending dead letters: inspect one (its error and the raw delivery), replay one, or bulk-replay those of a
 * kind (with a dry run that answers the exact count first).
 */
export function deadLetters(
  listTarget: HTMLElement,
  onChange: () => void,
): { controls: HTMLElement; inspector: HTMLElement; refresh: () => Promise<void> } {
  const inspector = h('div', { 'aria-live': 'polite' });
  const outcome = h('p', { role: 'status' });
  const kind = h(
    'select',
    { id: 'bulk-kind', name: 'kind' },
    h('option', { value: 'job' }, 'job'),
    h('option', { value: 'ingest' }, 'ingest'),
  );
  const connector = h('input', {
    id: 'bulk-connector',
    name: 'connector',
    placeholder: 'any',
    autocomplete: 'off',
  });

  const report = (error: unknown): void => {
    outcome.textContent = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
  };

  const bulkBody = (dryRun: boolean) => ({
    filter: {
      kind: kind.value,
      ...(connector.value.trim() === '' ? {} : { connector: connector.value.trim() }),
    },
    dry_run: dryRun,
  });

  const inspect = async (letter: DeadLetter): Promise<void> => {
    const { dead_letter } = await api<{ dead_letter: DeadLetter }>(`/api/v1/dead-letters/${letter.id}`);
    replace(
      inspector,
      h(
        'article',
        { 'aria-labelledby': 'inspect-title', class: 'inspect' },
        h('h3', { id: 'inspect-title' }, `Dead letter ${dead_letter.id}`),
        h('p', {}, dead_letter.error_message),
        h('h4', {}, 'Context'),
        h('pre', {}, JSON.stringify(dead_letter.error_context, null, 2)),
        h('h4', {}, 'Delivery headers'),
        h('pre', {}, JSON.stringify(dead_letter.event_payload.headers, null, 2)),
        h('h4', {}, 'Delivery body'),
        h('pre', {}, decoded(dead_letter.event_payload.body_base64) || '(empty)'),
      ),
    );
  };

  const replay = async (letter: DeadLetter): Promise<void> => {
    await api(`/api/v1/dead-letters/${letter.id}/replay`, { method: 'POST' });
    outcome.textContent = `Replayed ${letter.id}.`;
    await refresh();
    onChange();
  };

  const refresh = async (): Promise<void> => {
    const { items } = await api<Page<DeadLetter>>(
      `/api/v1/dead-letters${query({ status: 'pending', limit: 100 })}`,
    );
    if (items.length === 0) {
      replace(listTarget, h('p', {}, 'No pending dead letters.'));
      return;
    }
    const rows = items.map((letter) =>
      h(
        'tr',
        {},
        h('td', {}, h('code', {}, letter.id)),
        h('td', {}, letter.kind),
        h('td', {}, letter.connector),
        h('td', {}, letter.error_message),
        h('td', {}, time(letter.created_at)),
        h('td', {}, String(letter.retry_count)),
        h(
          'td',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', onclick: () => inspect(letter).catch(report) },
            'Inspect',
            hidden(letter.id),
          ),
          h(
            'button',
            { type: 'button', onclick: () => replay(letter).catch(report) },
            'Replay',
            hidden(letter.id),
          ),
        ),
      ),
    );
    replace(
      listTarget,
      table(
        `Pending dead letters (${items.length})`,
        ['Id', 'Kind', 'Connector', 'Error', 'Since', 'Replays', 'Actions'],
        rows,
      ),
    );
  };

  const bulk = h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Bulk replay',
      onsubmit: (event: Event) => {
        event.preventDefault();
        api<{ replayed?: number; failed?: number; replay?: { id: string } }>('/api/v1/dead-letters/replay', {
          method: 'POST',
          body: bulkBody(false),
        })
          .then(async (answer) => {
            outcome.textContent =
              answer.replay === undefined
                ? `Bulk replay: ${answer.replayed ?? 0} replayed, ${answer.failed ?? 0} failed.`
                : `Bulk replay ${answer.replay.id} runs in the background.`;
            await refresh();
            onChange();
          })
          .catch(report);
      },
    },
    h('label', { for: 'bulk-kind' }, 'Kind'),
    kind,
    h('label', { for: 'bulk-connector' }, 'Connector'),
    connector,
    h(
      'button',
      {
        type: 'button',
        onclick: () => {
          api<{ count: number }>('/api/v1/dead-letters/replay', { method: 'POST', body: bulkBody(true) })
            .then((answer) => {
              outcome.textContent = `Dry run: ${answer.count} ${answer.count === 1 ? 'dead letter' : 'dead letters'} would be replayed.`;
            })
            .catch(report);
        },
      },
      'Dry run',
    ),
    h('button', { type: 'submit' }, 'Replay all matching'),
  );

  return { controls: h('div', {}, bulk, outcome), inspector, refresh };
}
