import { type Static, Type } from '@sinclair/typebox';
import type { ApiDeclaration, ConnectorActionSpec } from '@sluice/core';

/** The store's Admin API: `X-Shopify-Access-Token` from the sealed `access_token`, at the connection's `base_url`. */
export const commerceOrdersApi: ApiDeclaration = {
  version: '2024-01',
  baseUrlConfigKey: 'base_url',
  auth: { type: 'header', header: 'X-Shopify-Access-Token', configKey: 'access_token' },
};

const holdInput = Type.Object(
  {
    order_id: Type.String({ pattern: '^[0-9]{1,20}$', description: 'The store’s numeric order id.' }),
    reason: Type.Optional(
      Type.Union([
        Type.Literal('fraud'),
        Type.Literal('payment'),
        Type.Literal('inventory'),
        Type.Literal('other'),
      ]),
    ),
    note: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);

/**
 * `order.hold`: `POST {base_url}/admin/api/2024-01/orders/{order_id}/hold.json` with
 * `{"hold": {"reason", "note"}}` (reason `other` when absent); the result is the store's answer.
 */
const orderHold: ConnectorActionSpec<Static<typeof holdInput>> = {
  description: 'Put an order on hold so it is not fulfilled.',
  input: holdInput,
  async run(ctx, input) {
    const response = await ctx.client.request({
      method: 'POST',
      path: `/admin/api/${ctx.client.version}/orders/${encodeURIComponent(input.order_id)}/hold.json`,
      body: {
        hold: { reason: input.reason ?? 'other', ...(input.note === undefined ? {} : { note: input.note }) },
      },
    });
    return response.body;
  },
};

/** The actions of the commerce-orders connector. */
export const commerceOrdersActions = { 'order.hold': orderHold };
