import { ApiError, api, forgetKey, storedKey, storeKey } from './api.ts';
import { deadLetters } from './dead-letters.ts';
import { h, replace, section } from './dom.ts';
import { renderStreams } from './streams.ts';
import { liveTail } from './tail.ts';
import { renderThroughput } from './throughput.ts';
import { renderTriggers } from './triggers.ts';

const REFRESH_MS = 10_000;

const main = document.getElementById('main') as HTMLElement;
const session = document.getElementById('session') as HTMLElement;
const nav = document.getElementById('sections') as HTMLElement;

/** A view that loads from the API, shows its error in place, and has its own Refresh button. */
function loaded(
  id: string,
  title: string,
  load: (target: HTMLElement) => Promise<void>,
  parts: { before?: HTMLElement; after?: HTMLElement; target?: HTMLElement } = {},
) {
  const target = parts.target ?? h('div', {});
  target.setAttribute('aria-busy', 'true');
  target.textContent = 'Loading…';
  const refresh = async (): Promise<void> => {
    try {
      await load(target);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return signOut('The API key was refused.');
      replace(target, h('p', { role: 'alert' }, error instanceof Error ? error.message : String(error)));
    } finally {
      target.removeAttribute('aria-busy');
    }
  };
  const view = section(
    id,
    title,
    h(
      'button',
      { type: 'button', class: 'refresh', onclick: () => void refresh() },
      `Refresh ${title.toLowerCase()}`,
    ),
    parts.before ?? null,
    target,
    parts.after ?? null,
  );
  return { view, refresh };
}

let timer: ReturnType<typeof setInterval> | undefined;

function showDashboard(): void {
  nav.hidden = false;
  replace(
    session,
    h(
      'button',
      { type: 'button', onclick: () => signOut('Signed out: the key is forgotten.') },
      'Forget API key',
    ),
  );
  const throughput = loaded('throughput', 'Throughput', renderThroughput);
  const streams = loaded('streams', 'Streams', renderStreams);
  const triggers = loaded('triggers', 'Triggers', renderTriggers);
  const list = h('div', {});
  const letters = deadLetters(list, () => void throughput.refresh());
  const dead = loaded('dead-letters', 'Dead letters', () => letters.refresh(), {
    before: letters.controls,
    target: list,
    after: letters.inspector,
  });
  replace(main, throughput.view, streams.view, liveTail(), triggers.view, dead.view);
  const all = [throughput, streams, triggers, dead];
  for (const view of all) void view.refresh();
  clearInterval(timer);
  // Triggers are left alone: refreshing them would close the jobs an operator opened.
  timer = setInterval(() => {
    for (const view of [throughput, streams, dead]) void view.refresh();
  }, REFRESH_MS);
}

function signOut(message: string): void {
  forgetKey();
  clearInterval(timer);
  // Reload so that the open tail and every pending request end with the page.
  sessionStorage.setItem('sluice.notice', message);
  location.reload();
}

function showSignIn(notice: string | null): void {
  nav.hidden = true;
  replace(session);
  const input = h('input', {
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
  });
  const problem = h('p', { role: 'alert' }, notice ?? '');
  const form = h(
    'form',
    {
      'aria-labelledby': 'sign-in-title',
      class: 'sign-in',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const key = input.value.trim();
        storeKey(key);
        // One call to check the key before showing anything.
        api('/api/v1/tenant')
          .then(() => showDashboard())
          .catch((error: unknown) => {
            forgetKey();
            problem.textContent =
              error instanceof ApiError && error.status === 401
                ? 'That API key was refused. Use a tenant key (sluice keys create makes one).'
                : `Could not reach the API: ${error instanceof Error ? error.message : error}`;
          });
      },
    },
    h('h2', { id: 'sign-in-title' }, 'Sign in'),
    h('p', {}, 'Enter a tenant API key. It stays in this tab only and is sent to this server alone.'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button', { type: 'submit' }, 'Open dashboard'),
    problem,
  );
  replace(main, form);
  input.focus();
}

const notice = sessionStorage.getItem('sluice.notice');
sessionStorage.removeItem('sluice.notice');
if (storedKey() === null) showSignIn(notice);
else showDashboard();
