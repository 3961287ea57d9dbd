import { Args } from '@oclif/core';
import { EquinoxCommand, withHost } from '@equinox-sync/host/command-kit';
import { FiscalApi, invoiceReceipt, type InvoiceReceipt } from '../../index.js';

export default class FiscalCancel extends EquinoxCommand<typeof FiscalCancel> {
  static override summary = 'Cancel an invoice: a cancellation record is appended to the chain; the invoice stays.';
  static override description = 'An invoice can be cancelled once. The cancellation repeats its series and number and uploads with the next sync.';
  static override examples = ['<%= config.bin %> fiscal cancel 0190f2a4-…', '<%= config.bin %> fiscal cancel 0190f2a4-… --json'];
  static override args = { id: Args.string({ description: 'Id of the invoice to cancel.', required: true }) };

  async run(): Promise<InvoiceReceipt & { cancels: string }> {
    const record = await withHost(this, (host) => host.api(FiscalApi).cancelInvoice(this.args.id));
    this.log(`Cancelled invoice ${record.series}${record.number}: cancellation ${record.id} is link ${record.chain_index} of this device's chain, huella ${record.hash}.`);
    return { ...invoiceReceipt(record), cancels: this.args.id };
  }
}
