import assert from 'node:assert/strict';
import type { Envelope } from '@sluice/core';

/** One server-sent event frame: its `id:`, `event:` and `data:` fields, or a `:` comment. */
export interface SseFrame {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly comment?: string;
}

/** A live tail read over real HTTP, frame by frame. */
export interface EventStream {
  readonly response: Response;
  /** The next frame, comments included. */
  frame(): Promise<SseFrame>;
  /** The next envelope, skipping comments; asserts the frame is an `envelope` with a position as its id. */
  envelope(): Promise<{ id: string; envelope: Envelope }>;
  /** Reads up to the `connected` comment the tail sends once it is subscribed. */
  connected(): Promise<void>;
  close(): Promise<void>;
}

/** Opens `GET {baseUrl}{path}` and parses the frames of its `text/event-stream` body. */
export async function openEventStream(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}${path}`, { headers, signal: controller.signal });
  const body = response.body;
  assert.ok(body !== null);
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const frame = async (): Promise<SseFrame> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':');
          const name = colon === 0 ? 'comment' : line.slice(0, colon);
          fields[name] = line.slice(colon + 1).replace(/^ /, '');
        }
        return fields;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffer += value;
    }
  };
  return {
    response,
    frame,
    async envelope() {
      for (;;) {
        const next = await frame();
        if (next.comment !== undefined && next.data === undefined) continue;
        assert.equal(next.event, 'envelope');
        assert.ok(next.id !== undefined && next.data !== undefined);
        const envelope = JSON.parse(next.data) as Envelope;
        // The SSE id is the envelope's commit-ordered position, to resume after.
        assert.match(next.id, /^\d+\.\d+$/);
        return { id: next.id, envelope };
      }
    },
    async connected() {
      while ((await frame()).comment !== 'connected') {
        // Frames before the subscription is confirmed are not the test's concern.
      }
    },
    async close() {
      controller.abort();
      await reader.cancel().catch(() => {});
    },
  };
}
