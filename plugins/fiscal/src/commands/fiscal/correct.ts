import { Args, Flags } from '@oclif/core';
import { EquinoxCommand, withHost } from '@equinox-sync/host/command-kit';
import { FiscalApi, invoiceReceipt, type CorrectInvoiceInput, type InvoiceReceipt } from '../../index.js';

export default class FiscalCorrect extends EquinoxCommand<typeof FiscalCorrect> {
  static override summary = 'Issue a corrective invoice (R1–R5) of an invoice, in its own series.';
  static override description = 'Without amounts it reverses the invoice in full (its amounts negated); give --tax and --total for a partial correction (the difference, usually negative: write --tax=-2.10).';
  static override examples = [
    '<%= config.bin %> fiscal correct 0190f2a4-… --series R-',
    '<%= config.bin %> fiscal correct 0190f2a4-… --series R- --type R4 --tax=-2.10 --total=-12.10 --json',
  ];
  static override args = { id: Args.string({ description: 'Id of the invoice to correct.', required: true }) };
  static override flags = {
    series: Flags.string({ summary: 'Series of the corrective invoice, not ending in a digit (e.g. R-2025-).', required: true }),
    type: Flags.string({ summary: 'Corrective type.', options: ['R1', 'R2', 'R3', 'R4', 'R5'], default: 'R1' }),
    tax: Flags.string({ summary: 'Tax of the correction (default: the invoice\'s, negated).', dependsOn: ['total'] }),
    total: Flags.string({ summary: 'Total of the correction (default: the invoice\'s, negated).', dependsOn: ['tax'] }),
    date: Flags.string({ summary: 'Issue date, YYYY-MM-DD (default: today).' }),
  };

  async run(): Promise<InvoiceReceipt & { corrects: string }> {
    const { flags } = this;
    const input: CorrectInvoiceInput = {
      series: flags.series,
      type: flags.type as CorrectInvoiceInput['type'],
      ...(flags.tax === undefined ? {} : { taxTotal: flags.tax }),
      ...(flags.total === undefined ? {} : { grossTotal: flags.total }),
      ...(flags.date === undefined ? {} : { issueDate: flags.date }),
    };
    const record = await withHost(this, (host) => host.api(FiscalApi).correctInvoice(this.args.id, input));
    this.log(`Issued corrective invoice ${record.series}${record.number} (${record.invoice_type}, ${record.gross_total}): link ${record.chain_index} of this device's chain.`);
    return { ...invoiceReceipt(record), corrects: this.args.id };
  }
}
