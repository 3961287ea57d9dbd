import { definePlugin } from '@equinox-sync/core';

/**
 * Issued invoices are never altered: the table is append-only, the device's version
 * always wins, and rows of one chain (one per installation) upload strictly in order.
 * Amounts are exact decimal strings: binary floats cannot represent cents. The first
 * link of a chain carries the installation's public key (`public_key`), which the cloud
 * registers; every link carries the installation's Ed25519 `signature`.
 *
 * @example
 * const [invoices] = fiscalPlugin.tables;
 */
export const fiscalPlugin = definePlugin({
  name: '@equinox-sync/plugin-fiscal',
  version: '0.1.0',
  tables: [
    {
      name: 'invoices',
      columns: {
        issuer_tax_id: { type: 'text', nullable: false },
        installation_id: { type: 'text', nullable: false },
        series: { type: 'text', nullable: false },
        number: { type: 'integer', nullable: false },
        invoice_type: { type: 'text', nullable: false },
        issue_date: { type: 'text', nullable: false },
        tax_total: { type: 'text', nullable: false },
        gross_total: { type: 'text', nullable: false },
        currency: { type: 'text', nullable: false, default: 'EUR' },
        client_tax_id: { type: 'text' },
        lines: { type: 'json' },
        record_kind: { type: 'text', nullable: false, default: 'issue' },
        cancels_invoice_id: { type: 'text' },
        chain_index: { type: 'integer', nullable: false },
        prev_hash: { type: 'text', nullable: false, default: '' },
        hash: { type: 'text', nullable: false },
        preimage: { type: 'text', nullable: false },
        generated_at: { type: 'text', nullable: false },
        public_key: { type: 'text' },
        signature: { type: 'text' },
      },
      indexes: [
        { columns: ['installation_id', 'chain_index'], unique: true },
        // A chain cannot fork: no two links may follow the same one.
        { columns: ['installation_id', 'prev_hash'], unique: true },
        // Numbers are per issuer and series; a cancellation reuses its invoice's number.
        { columns: ['issuer_tax_id', 'series', 'number', 'record_kind'], unique: true },
      ],
      strategy: 'LocalWins',
      appendOnly: true,
      orderingKey: ['installation_id'],
    },
  ],
});
