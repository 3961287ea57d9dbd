import { Flags } from '@oclif/core';
import { EquinoxCommand, withHost } from '@equinox-sync/host/command-kit';
import { FiscalApi, FiscalError, invoiceReceipt, type InvoiceReceipt } from '../../index.js';

export default class FiscalIssue extends EquinoxCommand<typeof FiscalIssue> {
  static override summary = 'Issue the next invoice of a series: numbered with no gap, hashed, signed and chained.';
  static override description = `The invoice is stored on this device at once and uploads with the next sync; it can never be edited or deleted (cancel or correct it instead). Amounts are exact decimals with a dot, e.g. 121.00. The issuer's tax id defaults to the issuer of this device's last record: give it for the first invoice (or set EQUINOX_FISCAL_ISSUER_TAX_ID). A series belongs to one device.`;
  static override examples = [
    '<%= config.bin %> fiscal issue --issuer-tax-id B12345678 --series T1- --type F1 --tax 21.00 --total 121.00',
    '<%= config.bin %> fiscal issue --series T1- --type F2 --tax 2.10 --total 12.10 --client-tax-id B87654321 --json',
  ];
  static override flags = {
    series: Flags.string({ summary: 'Series of the invoice, not ending in a digit (e.g. T1-2025-).', required: true }),
    type: Flags.string({ summary: 'Invoice type: F1 complete, F2 simplified, F3 substitute.', options: ['F1', 'F2', 'F3'], default: 'F1' }),
    tax: Flags.string({ summary: 'Total tax (CuotaTotal), e.g. 21.00.', required: true }),
    total: Flags.string({ summary: 'Total with tax (ImporteTotal), e.g. 121.00.', required: true }),
    'client-tax-id': Flags.string({ summary: "The client's tax id." }),
    'issuer-tax-id': Flags.string({ summary: "The issuer's tax id (NIF); default: the issuer of this device's last record.", env: 'EQUINOX_FISCAL_ISSUER_TAX_ID' }),
    date: Flags.string({ summary: 'Issue date, YYYY-MM-DD (default: today).' }),
    currency: Flags.string({ summary: 'ISO 4217 currency code (default: EUR).' }),
  };

  async run(): Promise<InvoiceReceipt> {
    const { flags } = this;
    const record = await withHost(this, (host) =>
      this.issue(host.api(FiscalApi), {
        series: flags.series,
        type: flags.type as 'F1' | 'F2' | 'F3',
        taxTotal: flags.tax,
        grossTotal: flags.total,
        ...(flags['issuer-tax-id'] === undefined ? {} : { issuerTaxId: flags['issuer-tax-id'] }),
        ...(flags['client-tax-id'] === undefined ? {} : { clientTaxId: flags['client-tax-id'] }),
        ...(flags.date === undefined ? {} : { issueDate: flags.date }),
        ...(flags.currency === undefined ? {} : { currency: flags.currency }),
      }),
    );
    this.log(`Issued invoice ${record.series}${record.number} (${record.id}): link ${record.chain_index} of this device's chain, huella ${record.hash}. It uploads with the next sync.`);
    return invoiceReceipt(record);
  }

  /** Issues the invoice; a first invoice without an issuer is bad usage, naming the flag and its variable. */
  private issue(fiscal: FiscalApi, input: Parameters<FiscalApi['issueInvoice']>[0]): ReturnType<FiscalApi['issueInvoice']> {
    try {
      return fiscal.issueInvoice(input);
    } catch (error) {
      if (error instanceof FiscalError && error.missing === 'issuerTaxId') {
        this.usage(`--issuer-tax-id: this device issues its first invoice: give the issuer's tax id (or set EQUINOX_FISCAL_ISSUER_TAX_ID)`);
      }
      throw error;
    }
  }
}
