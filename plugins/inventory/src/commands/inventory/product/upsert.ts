import { Flags } from '@oclif/core';
import { EquinoxCommand, withHost } from '@equinox-sync/host/command-kit';
import { InventoryApi, type Product } from '../../../index.js';

export default class InventoryProductUpsert extends EquinoxCommand<typeof InventoryProductUpsert> {
  static override summary = 'Create a product, or change the product with this SKU.';
  static override description =
    'The change is local and uploads with the next sync; when two devices change one product, the later edit wins everywhere. ' +
    '--tax-rate-bp and --active keep their current values when left out (0 and active for a new product).';
  static override examples = [
    '<%= config.bin %> inventory product upsert --sku COFFEE-1KG --name "Coffee beans 1 kg" --price-cents 1450 --tax-rate-bp 1000',
    '<%= config.bin %> inventory product upsert --sku COFFEE-1KG --name "Coffee beans 1 kg" --price-cents 1500 --no-active --json',
  ];
  static override flags = {
    sku: Flags.string({ summary: 'Stock keeping unit: picks the product (unique per tenant).', required: true }),
    name: Flags.string({ summary: 'Product name.', required: true }),
    'price-cents': Flags.integer({ summary: 'Price in cents.', required: true, min: 0 }),
    'tax-rate-bp': Flags.integer({ summary: 'Tax rate in basis points (2100 = 21 %).', min: 0, max: 10_000 }),
    active: Flags.boolean({ summary: 'Whether the product is on sale (--no-active to withdraw it).', allowNo: true }),
  };

  async run(): Promise<Product> {
    const { flags } = this;
    const product = await withHost(this, (host) =>
      host.api(InventoryApi).upsertProduct({
        sku: flags.sku,
        name: flags.name,
        priceCents: flags['price-cents'],
        ...(flags['tax-rate-bp'] === undefined ? {} : { taxRateBp: flags['tax-rate-bp'] }),
        ...(flags.active === undefined ? {} : { active: flags.active }),
      }),
    );
    this.log(`Saved ${product.sku} "${product.name}" at ${(product.priceCents / 100).toFixed(2)} (tax ${product.taxRateBp / 100} %${product.active ? '' : ', inactive'}). It uploads with the next sync.`);
    return product;
  }
}
