import { api } from './api.ts';
import { h, replace, table } from './dom.ts';
import type { IngestMinute } from './types.ts';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 720;
const HEIGHT = 200;
const PAD = { left: 44, right: 68, top: 12, bottom: 24 };

function svg(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A round ceiling for an axis: 1, 2 or 5 times a power of ten. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((step) => step * power >= value) ?? 10) * power;
}

function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/**
 * Envelopes per minute as bars, receipt → job created (p95) as a line on its own axis. Drawn as SVG from
 * the numbers; the same numbers are in a table below it for screen readers.
 */
export function chart(minutes: ReadonlyArray<IngestMinute>): SVGElement {
  const total = minutes.reduce((sum, m) => sum + m.envelopes, 0);
  const peak = Math.max(0, ...minutes.map((m) => m.envelopes));
  const latencies = minutes.map((m) => m.routed_p95_ms).filter((v): v is number => v !== null);
  const worst = Math.max(0, ...latencies);
  const countMax = niceMax(peak);
  const latencyMax = niceMax(worst);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, minutes.length);
  const y = (value: number, max: number) => PAD.top + plotH - (value / max) * plotH;

  const root = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    class: 'chart',
    'aria-label': `${total} envelopes in the last ${minutes.length} minutes, at most ${peak} a minute; worst p95 receipt to job ${latencies.length === 0 ? 'not measured' : `${worst} ms`}.`,
  });
  for (const fraction of [0, 0.5, 1]) {
    const at = PAD.top + plotH - fraction * plotH;
    root.append(svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: at, y2: at, class: 'grid' }));
    root.append(
      svg(
        'text',
        { x: PAD.left - 6, y: at + 4, 'text-anchor': 'end', class: 'axis' },
        String(countMax * fraction),
      ),
    );
    if (latencies.length > 0) {
      root.append(
        svg(
          'text',
          { x: WIDTH - PAD.right + 6, y: at + 4, class: 'axis latency' },
          `${latencyMax * fraction} ms`,
        ),
      );
    }
  }
  minutes.forEach((minute, i) => {
    if (minute.envelopes === 0) return;
    const top = y(minute.envelopes, countMax);
    const bar = svg('rect', {
      x: PAD.left + i * step + 1,
      y: top,
      width: Math.max(1, step - 2),
      height: PAD.top + plotH - top,
      class: 'bar',
    });
    bar.append(svg('title', {}, `${clock(minute.minute)}: ${minute.envelopes} envelopes`));
    root.append(bar);
  });
  const points = minutes.flatMap((minute, i) =>
    minute.routed_p95_ms === null
      ? []
      : [{ x: PAD.left + i * step + step / 2, y: y(minute.routed_p95_ms, latencyMax), minute }],
  );
  if (points.length > 1) {
    root.append(svg('polyline', { points: points.map((p) => `${p.x},${p.y}`).join(' '), class: 'line' }));
  }
  for (const point of points) {
    const dot = svg('circle', { cx: point.x, cy: point.y, r: 3, class: 'point' });
    dot.append(svg('title', {}, `${clock(point.minute.minute)}: p95 ${point.minute.routed_p95_ms} ms`));
    root.append(dot);
  }
  const first = minutes[0];
  const last = minutes.at(-1);
  if (first !== undefined && last !== undefined) {
    root.append(svg('text', { x: PAD.left, y: HEIGHT - 6, class: 'axis' }, clock(first.minute)));
    root.append(
      svg(
        'text',
        { x: WIDTH - PAD.right, y: HEIGHT - 6, 'text-anchor': 'end', class: 'axis' },
        clock(last.minute),
      ),
    );
  }
  return root;
}

/** The last hour of ingest: the chart, a legend, and the busy minutes as a table. */
export async function renderThroughput(target: HTMLElement): Promise<void> {
  const { items } = await api<{ items: ReadonlyArray<IngestMinute> }>('/api/v1/stats/ingest?minutes=60');
  const busy = items.filter((m) => m.envelopes > 0).reverse();
  replace(
    target,
    chart(items),
    h(
      'p',
      { class: 'legend' },
      h('span', { class: 'swatch bar', 'aria-hidden': 'true' }),
      'envelopes received per minute (left axis)',
      h('span', { class: 'swatch line', 'aria-hidden': 'true' }),
      'receipt → job created, 95th percentile (right axis)',
    ),
    h(
      'details',
      {},
      h('summary', {}, 'Busy minutes as a table'),
      table(
        'Envelopes and routing latency per minute',
        ['Minute', 'Envelopes', 'p50 ms', 'p95 ms'],
        busy.map((m) =>
          h(
            'tr',
            {},
            h('td', {}, clock(m.minute)),
            h('td', {}, String(m.envelopes)),
            h('td', {}, m.routed_p50_ms === null ? '—' : String(m.routed_p50_ms)),
            h('td', {}, m.routed_p95_ms === null ? '—' : String(m.routed_p95_ms)),
          ),
        ),
      ),
    ),
  );
}
