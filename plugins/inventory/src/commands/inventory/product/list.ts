import { EquinoxCommand, printTable, withHost } from '@equinox-sync/host/command-kit';
import { InventoryApi, type Product } from '../../../index.js';

/** One line of `inventory product list --json`: the product and its stock on this device. */
export interface ProductLine extends Product {
  /** The sum of the SKU's stock movements on this device (0 without any). */
  readonly quantity: number;
}

export default class InventoryProductList extends EquinoxCommand<typeof InventoryProductList> {
  static override summary = 'List the products on this device with their price, tax rate and stock.';
  static override description =
    "Products withdrawn from sale are listed too, marked inactive. Stock is this device's sum of movements (its own and those pulled); " +
    'run equinox sync first to include the latest.';
  static override examples = ['<%= config.bin %> inventory product list', '<%= config.bin %> inventory product list --json'];

  async run(): Promise<ProductLine[]> {
    const products = await withHost(this, (host) => {
      const inventory = host.api(InventoryApi);
      const stock = new Map(inventory.levels().map((level) => [level.sku, level.quantity]));
      return inventory.products().map((product) => ({ ...product, quantity: stock.get(product.sku) ?? 0 }));
    });
    if (products.length === 0) this.log('No products yet: add one with equinox inventory product upsert.');
    else {
      printTable(
        this,
        ['sku', 'name', 'price', 'tax', 'stock', 'active'],
        products.map((p) => [p.sku, p.name, (p.priceCents / 100).toFixed(2), `${p.taxRateBp / 100} %`, String(p.quantity), p.active ? 'yes' : 'no']),
      );
    }
    return products;
  }
}
