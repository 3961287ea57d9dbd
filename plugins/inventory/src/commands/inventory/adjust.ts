import { Flags } from '@oclif/core';
import { EquinoxCommand, withHost } from '@equinox-sync/host/command-kit';
import { InventoryApi, STOCK_REASONS, type StockMovement } from '../../index.js';

/** What `inventory adjust --json` prints: the movement and the SKU's stock after it. */
export interface AdjustResult extends StockMovement {
  quantity: number;
}

export default class InventoryAdjust extends EquinoxCommand<typeof InventoryAdjust> {
  static override summary = 'Record a stock movement: a signed change of a product\'s stock.';
  static override description =
    'Stock is never overwritten: each sale, purchase or correction is a movement, so movements recorded offline on ' +
    'several tills all count once they sync. A negative --delta takes stock out, a positive one puts it in.';
  static override examples = [
    '<%= config.bin %> inventory adjust --sku COFFEE-1KG --delta 10 --reason purchase',
    '<%= config.bin %> inventory adjust --sku COFFEE-1KG --delta -3 --reason sale --location front --json',
  ];
  static override flags = {
    sku: Flags.string({ summary: 'SKU of an existing product.', required: true }),
    delta: Flags.custom<number>({
      summary: 'Change of stock, non-zero: negative out, positive in.',
      helpValue: 'N',
      required: true,
      // A usage error naming --delta (exit 2), not the API's refusal of a movement of 0.
      parse: async (input) => {
        const delta = Number(input);
        if (!Number.isSafeInteger(delta) || delta === 0 || input.trim() === '') {
          throw new Error(`"${input}" is not a change of stock: expected a whole number other than 0 (negative out, positive in)`);
        }
        return delta;
      },
    })(),
    reason: Flags.string({ summary: 'Why the stock changed.', options: [...STOCK_REASONS], required: true }),
    location: Flags.string({ summary: 'Where the stock is (default main).' }),
  };

  async run(): Promise<AdjustResult> {
    const { flags } = this;
    const result = await withHost(this, (host) => {
      const inventory = host.api(InventoryApi);
      const movement = inventory.adjust({
        sku: flags.sku,
        delta: flags.delta,
        reason: flags.reason as StockMovement['reason'],
        ...(flags.location === undefined ? {} : { location: flags.location }),
      });
      return { ...movement, quantity: inventory.level(movement.sku) };
    });
    this.log(`Recorded ${result.reason} ${result.delta > 0 ? '+' : ''}${result.delta} of ${result.sku} at ${result.location}; stock here is now ${result.quantity}. It uploads with the next sync.`);
    return result;
  }
}
