import { describe, expect, it } from 'vitest';
import { inventoryPlugin } from './index.js';

describe('inventory plugin declaration', () => {
  it('resolves products by last write and keeps stock movements append-only', () => {
    const tables = Object.fromEntries(inventoryPlugin.tables.map((t) => [t.name, t]));
    expect(tables.products?.strategy).toBe('LastWriteWins');
    expect(tables.products?.indexes).toContainEqual({ columns: ['sku'], unique: true });
    expect(tables.stock_movements?.appendOnly).toBe(true);
    expect(tables.stock_movements?.columns.find((c) => c.name === 'delta')).toMatchObject({ type: 'integer', nullable: false });
  });
});
