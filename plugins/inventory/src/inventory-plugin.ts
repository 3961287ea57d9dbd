import { definePlugin } from '@equinox-sync/core';

/**
 * Products are edited anywhere and the later edit wins. Stock travels as signed
 * movements, never as an overwritten quantity: two tills selling offline must both count.
 */
export const inventoryPlugin = definePlugin({
  name: '@equinox-sync/plugin-inventory',
  version: '0.1.0',
  tables: [
    {
      name: 'products',
      columns: {
        sku: { type: 'text', nullable: false },
        name: { type: 'text', nullable: false },
        price_cents: { type: 'integer', nullable: false, default: 0 },
        // Basis points (2100 = 21 %): rates stay exact integers.
        tax_rate_bp: { type: 'integer', nullable: false, default: 0 },
        active: { type: 'boolean', nullable: false, default: true },
      },
      indexes: [{ columns: ['sku'], unique: true }],
      strategy: 'LastWriteWins',
    },
    {
      name: 'stock_movements',
      columns: {
        product_id: { type: 'text', nullable: false },
        sku: { type: 'text', nullable: false },
        delta: { type: 'integer', nullable: false },
        reason: { type: 'text', nullable: false },
        location: { type: 'text', nullable: false, default: 'main' },
        occurred_at: { type: 'timestamp', nullable: false },
      },
      indexes: [{ columns: ['sku'] }],
      strategy: 'LocalWins',
      appendOnly: true,
    },
  ],
});
