import { createHmac } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One HTTP request to send: its path, headers and body. */
export interface BenchRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A ~720-byte Shopify `orders/create` webhook, signed with `secret`: its dedupe key is unique per `id`. */
export function shopifyOrder(id: number, secret: string, path = '/'): BenchRequest {
  const body = JSON.stringify({
    id,
    name: `#${id}`,
    email: 'buyer@example.com',
    created_at: '2026-06-11T09:00:00-04:00',
    updated_at: '2026-06-11T09:00:00-04:00',
    total_price: '19.99',
    subtotal_price: '17.99',
    total_tax: '2.00',
    currency: 'USD',
    financial_status: 'paid',
    customer: { id: 7_000_000 + (id % 1000), email: 'buyer@example.com', first_name: 'Ada', last_name: 'B' },
    shipping_address: { city: 'Montreal', country_code: 'CA', zip: 'H2X 1Y4' },
    line_items: [
      { id: id * 10, sku: 'WID-1', title: 'Widget', quantity: 1, price: '9.99' },
      { id: id * 10 + 1, sku: 'GAD-2', title: 'Gadget', quantity: 2, price: '4.00' },
    ],
  });
  return {
    path,
    body,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
    },
  };
}

let files = 0;

/**
 * Writes `count` requests, made by `make(i)`, as raw HTTP/1.1 for `wrk-requests.lua`: each one's byte
 * length on a line, then its bytes. Returns the file's path (in the temp directory).
 */
export async function writeRequests(count: number, make: (i: number) => BenchRequest): Promise<string> {
  const path = join(tmpdir(), `sluice-bench-${process.pid}-${files++}.req`);
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const { path: target, headers, body } = make(i);
    const size = Buffer.byteLength(body);
    let head = `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    const raw = `${head}content-length: ${size}\r\n\r\n${body}`;
    if (!out.write(`${Buffer.byteLength(raw)}\n${raw}`)) {
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return path;
}
