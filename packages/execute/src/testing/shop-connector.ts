import { type Static, Type } from '@sinclair/typebox';
import type { Connector } from '@sluice/core';
import { defineConnector } from '@sluice/map';

const holdInput = Type.Object(
  { order_id: Type.String({ minLength: 1 }), reason: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

/**
 * A connector for tests: `order.hold` POSTs `{reason}` to `{base_url}/v1/orders/{order_id}/hold` with the
 * connection's sealed `token` as a Bearer token and `X-Shop-Api-Version: 2024-01`, and returns the answer.
 */
export const shopConnector: Connector = defineConnector({
  id: 'cn-shop',
  version: '1.0.0',
  events: { 'order.created': { kind: 'emit' }, 'order.hold_requested': { kind: 'emit' } },
  secretConfig: ['token'],
  api: {
    version: '2024-01',
    baseUrlConfigKey: 'base_url',
    auth: { type: 'bearer', configKey: 'token' },
    versionHeader: 'X-Shop-Api-Version',
  },
  actions: {
    'order.hold': {
      input: holdInput,
      async run(ctx, input: Static<typeof holdInput>) {
        const response = await ctx.client.request({
          method: 'POST',
          path: `/v1/orders/${encodeURIComponent(input.order_id)}/hold`,
          body: { reason: input.reason ?? 'held by sluice' },
        });
        return response.body;
      },
    },
    'order.fail': {
      input: Type.Object({}),
      async run() {
        throw new Error('the action has a bug');
      },
    },
  },
});
