import { EventSourceParserStream } from 'eventsource-parser/stream';
import { authHeaders, storedKey } from './api.ts';
import { h, replace, section } from './dom.ts';
import type { Envelope } from './types.ts';

const KEEP = 100;
const MAX_BACKOFF_MS = 10_000;

/**
 * The live tail: `GET /api/v1/events/stream` read with `fetch`, so the key goes in the Authorization header
 * (an EventSource cannot set one, and a key in the URL would land in logs). It resumes after the last
 * envelope it showed with `Last-Event-ID` when the connection drops.
 */
export function liveTail(): HTMLElement {
  const status = h('p', { class: 'muted', role: 'status' }, 'Connecting…');
  const list = h('ol', { class: 'tail', 'aria-label': 'Envelopes, newest first' });
  const typeInput = h('input', {
    id: 'tail-type',
    name: 'event_type',
    placeholder: 'order.*',
    autocomplete: 'off',
  });
  const entityInput = h('input', {
    id: 'tail-entity',
    name: 'entity',
    placeholder: 'order:42',
    autocomplete: 'off',
  });
  let controller: AbortController | null = null;
  let lastId: string | undefined;

  const start = (): void => {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    lastId = undefined;
    replace(list);
    // Until the new request is answered, the tail is not live (it starts at what commits from then on).
    status.textContent = 'Connecting…';
    void run(current.signal);
  };

  const run = async (signal: AbortSignal): Promise<void> => {
    let backoff = 1000;
    while (!signal.aborted) {
      const key = storedKey();
      if (key === null) return;
      const search = new URLSearchParams();
      if (typeInput.value.trim() !== '') search.set('event_type', typeInput.value.trim());
      if (entityInput.value.trim() !== '') search.set('entity', entityInput.value.trim());
      try {
        const response = await fetch(`/api/v1/events/stream?${search}`, {
          headers: {
            ...authHeaders(key),
            accept: 'text/event-stream',
            ...(lastId === undefined ? {} : { 'last-event-id': lastId }),
          },
          signal,
        });
        if (!response.ok || response.body === null) {
          const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
          status.textContent = `The tail was refused: ${body?.error?.message ?? response.status}`;
          if (response.status >= 400 && response.status < 500) return;
        } else {
          status.textContent = 'Live: new envelopes appear at the top.';
          backoff = 1000;
          const events = response.body
            .pipeThrough(new TextDecoderStream())
            .pipeThrough(new EventSourceParserStream());
          for await (const event of events) {
            if (event.event === 'envelope') {
              if (event.id !== undefined) lastId = event.id;
              show(JSON.parse(event.data) as Envelope);
            } else if (event.event === 'error') {
              status.textContent = `The tail reported an error: ${event.data}`;
            }
          }
        }
      } catch (error) {
        if (signal.aborted) return;
        status.textContent = `The tail lost its connection (${error instanceof Error ? error.message : error}); reconnecting…`;
      }
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  };

  const show = (envelope: Envelope): void => {
    const entity = envelope.payload.entity;
    const item = h(
      'li',
      { 'aria-label': `${envelope.event_type} ${envelope.event_id}` },
      h('strong', {}, envelope.event_type),
      ' ',
      entity === undefined ? null : h('code', {}, `${entity.kind}:${entity.id}`),
      h(
        'span',
        { class: 'muted' },
        ` ${envelope.source} · ${new Date(envelope.received_at).toLocaleTimeString()} · `,
      ),
      h('code', { class: 'muted' }, envelope.event_id),
      envelope.mode === 'quiet' ? h('span', { class: 'badge' }, 'quiet') : null,
    );
    list.prepend(item);
    while (list.childElementCount > KEEP) list.lastElementChild?.remove();
  };

  const form = h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Tail filters',
      onsubmit: (event: Event) => {
        event.preventDefault();
        start();
      },
    },
    h('label', { for: 'tail-type' }, 'Event type'),
    typeInput,
    h('label', { for: 'tail-entity' }, 'Entity'),
    entityInput,
    h('button', { type: 'submit' }, 'Apply filters'),
    h('button', { type: 'button', onclick: () => replace(list) }, 'Clear tail'),
  );
  const view = section('tail', 'Live tail', form, status, list);
  start();
  return view;
}
