import { api, query } from './api.ts';
import { h, replace, table, time } from './dom.ts';
import type { Job, JobAttempt, Page, Trigger } from './types.ts';

function attemptText(attempt: JobAttempt, n: number): string {
  const outcome =
    attempt.status_code === null ? (attempt.error ?? 'no answer') : `HTTP ${attempt.status_code}`;
  const latency = attempt.latency_ms === null ? '' : ` in ${attempt.latency_ms} ms`;
  return `#${n} ${new Date(attempt.started_at).toLocaleTimeString()}: ${outcome}${latency}`;
}

async function renderJobs(trigger: Trigger, target: HTMLElement): Promise<void> {
  const { items } = await api<Page<Job>>(
    `/api/v1/jobs${query({ trigger_id: trigger.id, order: 'desc', limit: 20 })}`,
  );
  if (items.length === 0) {
    replace(target, h('p', {}, `No jobs of ${trigger.name} yet.`));
    return;
  }
  const rows = items.map((job) =>
    h(
      'tr',
      {},
      h('td', {}, h('code', {}, job.id)),
      h('td', {}, job.status),
      h('td', {}, job.entity_key ?? '—'),
      h('td', {}, time(job.created_at)),
      h(
        'td',
        {},
        job.attempts.length === 0
          ? 'none yet'
          : h(
              'ol',
              { class: 'attempts' },
              ...job.attempts.map((attempt, i) => h('li', {}, attemptText(attempt, i + 1))),
            ),
      ),
    ),
  );
  replace(
    target,
    table(`Jobs of ${trigger.name}, newest first`, ['Job', 'Status', 'Entity', 'Created', 'Attempts'], rows),
  );
}

/** Triggers, and on request each one's latest jobs with their attempts. */
export async function renderTriggers(target: HTMLElement): Promise<void> {
  const { items } = await api<Page<Trigger>>('/api/v1/triggers');
  if (items.length === 0) {
    replace(target, h('p', {}, 'No triggers yet: POST /api/v1/triggers makes one.'));
    return;
  }
  replace(
    target,
    h(
      'ul',
      { class: 'cards' },
      ...items.map((trigger) => {
        const jobs = h('div', { 'aria-live': 'polite' });
        const action = trigger.action.url ?? trigger.action.name ?? trigger.action.type;
        return h(
          'li',
          {},
          h('h3', {}, trigger.name),
          h(
            'p',
            { class: 'muted' },
            `${trigger.event_types.join(', ')} → ${trigger.action.type} ${action} · ${trigger.enabled ? 'enabled' : 'disabled'}`,
          ),
          h(
            'button',
            {
              type: 'button',
              onclick: () => {
                renderJobs(trigger, jobs).catch((error: Error) =>
                  replace(jobs, h('p', { role: 'alert' }, error.message)),
                );
              },
            },
            `Show jobs of ${trigger.name}`,
          ),
          jobs,
        );
      }),
    ),
  );
}
