import { statSync, unlinkSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FiscalError,
  FiscalInputError,
  generateInstallationKeyPair,
  huella,
  recordPreimage,
  verifyRecordSignature,
  type FiscalRecord,
  type FiscalStore,
} from '../src/index.js';
import { tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { INVOICE, openFiscalDevice, tamper, type FiscalDevice } from './fiscal-device.js';

const opened: FiscalDevice[] = [];
function device(dir = tempDir('fiscal'), options: Partial<Parameters<typeof openFiscalDevice>[1]> = {}): FiscalDevice {
  const made = openFiscalDevice(dir, { tenant: uniqueTenant('fiscal-api'), ...options });
  opened.push(made);
  return made;
}

afterEach(() => {
  for (const made of opened.splice(0)) made.close();
});

describe('issueInvoice', () => {
  it('numbers each series with no gap and appends each invoice as the next signed link', () => {
    const { fiscal, storageDir } = device();
    const a1 = fiscal.issueInvoice({ ...INVOICE, clientTaxId: 'B87654321', lines: [{ item: 'Coffee', price: '1.50' }] });
    const a2 = fiscal.issueInvoice({ ...INVOICE, taxTotal: '2.1', grossTotal: '12.1' });
    const b1 = fiscal.issueInvoice({ ...INVOICE, series: 'T1-B-', type: 'F2' });
    expect([a1, a2, b1].map((r) => [r.series, r.number, r.chain_index])).toEqual([['T1-', 1, 1], ['T1-', 2, 2], ['T1-B-', 1, 3]]);
    expect(a2).toMatchObject({ tax_total: '2.10', gross_total: '12.10', prev_hash: a1.hash, installation_id: 'till-1', record_kind: 'issue' });
    expect(a1.prev_hash).toBe('');
    expect(a1.hash).toBe(huella(recordPreimage(a1)));
    expect(a1.preimage).toMatch(/^IDEmisorFactura=B12345678&NumSerieFactura=T1-1&FechaExpedicionFactura=\d\d-\d\d-\d{4}&TipoFactura=F1&CuotaTotal=21.00&ImporteTotal=121.00&Huella=&FechaHoraHusoGenRegistro=/);
    // The first link carries the installation's key; every link is signed with it.
    expect(a1.public_key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(a2.public_key).toBeNull();
    for (const record of [a1, a2, b1]) expect(verifyRecordSignature(record, a1.public_key as string)).toBe(true);
    expect(statSync(`${storageDir}/installation-key.pem`).mode & 0o777).toBe(0o600);
    expect(fiscal.records()).toEqual([a1, a2, b1]);
  });

  it('takes the issuer of the chain\'s last record by default, and needs one for the first invoice', () => {
    const { fiscal } = device();
    const { issuerTaxId: _issuer, ...withoutIssuer } = INVOICE;
    expect(() => fiscal.issueInvoice(withoutIssuer)).toThrow(FiscalError);
    fiscal.issueInvoice(INVOICE);
    expect(fiscal.issueInvoice(withoutIssuer)).toMatchObject({ issuer_tax_id: 'B12345678', number: 2 });
  });

  it('refuses a bad field before anything is stored, naming the field', () => {
    const { fiscal } = device();
    fiscal.issueInvoice(INVOICE);
    expect(() => fiscal.issueInvoice({ ...INVOICE, taxTotal: '12,50' })).toThrow(/"tax_total"/);
    expect(() => fiscal.issueInvoice({ ...INVOICE, series: 'T1' })).toThrow(FiscalInputError);
    expect(() => fiscal.issueInvoice({ ...INVOICE, type: 'R1' as 'F1' })).toThrow(/invoice_type/);
    expect(() => fiscal.issueInvoice({ ...INVOICE, issuerTaxId: 'nope' })).toThrow(/issuer_tax_id/);
    expect(fiscal.records()).toHaveLength(1);
    expect(fiscal.issueInvoice(INVOICE)).toMatchObject({ number: 2, chain_index: 2 });
  });

  it('issues 1,000 invoices of a series numbered 1..1000, no gap, no duplicate, every link verifying', async () => {
    const { fiscal } = device();
    const started = performance.now();
    for (let i = 0; i < 1000; i++) fiscal.issueInvoice(INVOICE);
    const elapsed = performance.now() - started;
    const records = fiscal.records();
    expect(records.map((r) => r.number)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(records.map((r) => r.chain_index)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(await fiscal.verify()).toEqual({ ok: true, chains: 1, records: 1000, brokenAt: null });
    // Not a benchmark: a guard against issuing that reads the whole chain every time.
    expect(elapsed).toBeLessThan(20_000);
  });
});

describe('cancelInvoice and correctInvoice', () => {
  it('appends a cancellation that repeats the invoice; the invoice stays; only once', async () => {
    const { fiscal } = device();
    const invoice = fiscal.issueInvoice({ ...INVOICE, issueDate: '2025-03-01' });
    const cancellation = fiscal.cancelInvoice(invoice.id);
    expect(cancellation).toMatchObject({
      record_kind: 'cancellation', cancels_invoice_id: invoice.id, series: 'T1-', number: 1, issue_date: '2025-03-01',
      chain_index: 2, prev_hash: invoice.hash,
    });
    expect(cancellation.preimage).toMatch(/^IDEmisorFacturaAnulada=B12345678&NumSerieFacturaAnulada=T1-1&FechaExpedicionFacturaAnulada=01-03-2025&Huella=/);
    expect(fiscal.record(invoice.id)).toEqual(invoice);
    expect(() => fiscal.cancelInvoice(invoice.id)).toThrow('cannot cancel invoice T1-1: it is already cancelled');
    expect(() => fiscal.cancelInvoice(cancellation.id)).toThrow(/is the cancellation of invoice T1-1, not an invoice/);
    expect(() => fiscal.cancelInvoice('no-such-id')).toThrow('cannot cancel "no-such-id": no such invoice on this device');
    expect(() => fiscal.correctInvoice(invoice.id, { series: 'R-' })).toThrow(/already cancelled/);
    // A cancellation reuses the invoice's number: the next invoice takes 2.
    expect(fiscal.issueInvoice(INVOICE).number).toBe(2);
    expect((await fiscal.verify()).ok).toBe(true);
  });

  it('issues a corrective invoice in its own series, negating the invoice by default', async () => {
    const { fiscal } = device();
    const invoice = fiscal.issueInvoice({ ...INVOICE, clientTaxId: 'B87654321' });
    const full = fiscal.correctInvoice(invoice.id, { series: 'R-' });
    expect(full).toMatchObject({
      invoice_type: 'R1', series: 'R-', number: 1, tax_total: '-21.00', gross_total: '-121.00',
      corrects_invoice_id: invoice.id, client_tax_id: 'B87654321', record_kind: 'issue', chain_index: 2,
    });
    const partial = fiscal.correctInvoice(invoice.id, { series: 'R-', type: 'R4', taxTotal: '-2.1', grossTotal: '-12.10' });
    expect(partial).toMatchObject({ invoice_type: 'R4', number: 2, tax_total: '-2.10', gross_total: '-12.10' });
    expect(() => fiscal.correctInvoice(invoice.id, { series: 'R-', taxTotal: '-1.00' })).toThrow(FiscalInputError);
    expect(() => fiscal.correctInvoice(invoice.id, { series: 'R-', type: 'F1' as 'R1' })).toThrow(/R1, R2, R3, R4 or R5/);
    expect(await fiscal.verify()).toEqual({ ok: true, chains: 1, records: 3, brokenAt: null });
  });
});

describe('the device never lets a fiscal record change', () => {
  it('refuses UPDATE and DELETE through the plugin store and through plain SQL', () => {
    const { fiscal, store, dbPath } = device();
    const invoice = fiscal.issueInvoice(INVOICE);
    const scoped = store.forPlugin('@equinox-sync/plugin-fiscal');
    expect(() => scoped.update('invoices', invoice.id, { gross_total: '1.00' })).toThrow(/append-only/);
    expect(() => scoped.delete('invoices', invoice.id)).toThrow(/append-only/);
    const other = new Database(dbPath);
    try {
      expect(() => other.prepare(`UPDATE invoices SET gross_total = '1.00' WHERE id = ?`).run(invoice.id)).toThrow(/append-only/);
      expect(() => other.prepare('DELETE FROM invoices WHERE id = ?').run(invoice.id)).toThrow(/append-only/);
    } finally {
      other.close();
    }
    expect(fiscal.record(invoice.id)).toEqual(invoice);
  });
});

describe('verify finds tampering with the database file', () => {
  /** A device with 4 invoices, closed so an attacker can edit the file, then reopened. */
  function tampered(sql: string, ...params: unknown[]): { device: FiscalDevice; chain: FiscalRecord[] } {
    const dir = tempDir('fiscal');
    const tenant = uniqueTenant('fiscal-tamper');
    const first = openFiscalDevice(dir, { tenant });
    const chain = [1, 2, 3, 4].map(() => first.fiscal.issueInvoice(INVOICE));
    first.close();
    tamper(first.dbPath, sql, ...params);
    return { device: device(dir, { tenant }), chain };
  }

  it('an edited amount: the columns no longer rebuild the stored preimage', async () => {
    const { device: { fiscal } } = tampered(`UPDATE invoices SET gross_total = '1.00' WHERE chain_index = 2`);
    const result = await fiscal.verify();
    expect(result).toMatchObject({ ok: false, chains: 1, records: 4 });
    expect(result.brokenAt).toMatchObject({ where: 'device', chain: 'till-1', index: 2, reason: 'preimage' });
    expect(result.brokenAt?.expected).toContain('&ImporteTotal=1.00&');
  });

  it('an edit with its huella recomputed: the signature no longer holds', async () => {
    const dir = tempDir('fiscal');
    const tenant = uniqueTenant('fiscal-tamper');
    const first = openFiscalDevice(dir, { tenant });
    const [, second] = [1, 2, 3].map(() => first.fiscal.issueInvoice(INVOICE)) as FiscalRecord[];
    first.close();
    const preimage = recordPreimage({ ...(second as FiscalRecord), gross_total: '1.00' });
    tamper(first.dbPath, `UPDATE invoices SET gross_total = '1.00', preimage = ?, hash = ? WHERE chain_index = 2`, preimage, huella(preimage));
    expect((await device(dir, { tenant }).fiscal.verify()).brokenAt).toMatchObject({ index: 2, reason: 'signature' });
  });

  it('a removed record: the positions skip', async () => {
    const { device: { fiscal } } = tampered(`DELETE FROM invoices WHERE chain_index = 3`);
    expect((await fiscal.verify()).brokenAt).toMatchObject({ chain: 'till-1', index: 3, expected: '3', found: '4', reason: 'chain-index' });
  });

  it('two records swapped: a link no longer points at the one before it', async () => {
    const { device: { fiscal }, chain } = tampered(
      `UPDATE invoices SET chain_index = -2 WHERE chain_index = 2;
       UPDATE invoices SET chain_index = 2 WHERE chain_index = 3;
       UPDATE invoices SET chain_index = 3 WHERE chain_index = -2;`,
    );
    expect((await fiscal.verify()).brokenAt).toMatchObject({ index: 2, reason: 'prev-hash', expected: chain[0]?.hash, found: chain[1]?.hash });
  });

  it('a forged signature: another key signed the record', async () => {
    const forger = generateInstallationKeyPair();
    const dir = tempDir('fiscal');
    const tenant = uniqueTenant('fiscal-tamper');
    const first = openFiscalDevice(dir, { tenant });
    const [, second] = [1, 2].map(() => first.fiscal.issueInvoice(INVOICE)) as FiscalRecord[];
    first.close();
    const { signRecord } = await import('../src/index.js');
    tamper(first.dbPath, 'UPDATE invoices SET signature = ? WHERE chain_index = 2', signRecord(second as FiscalRecord, forger).signature);
    expect((await device(dir, { tenant }).fiscal.verify()).brokenAt).toMatchObject({ index: 2, reason: 'signature' });
  });
});

describe('the installation key', () => {
  it('cannot be replaced under an existing chain', () => {
    const dir = tempDir('fiscal');
    const tenant = uniqueTenant('fiscal-key');
    const first = openFiscalDevice(dir, { tenant });
    first.fiscal.issueInvoice(INVOICE);
    first.close();
    unlinkSync(`${first.storageDir}/installation-key.pem`);
    expect(() => device(dir, { tenant }).fiscal.issueInvoice(INVOICE)).toThrow(/has 1 record\(s\) but no key at .*: restore that file/);
    writeFileSync(`${first.storageDir}/installation-key.pem`, generateInstallationKeyPair().privateKey, { mode: 0o600 });
    expect(() => device(dir, { tenant }).fiscal.issueInvoice(INVOICE)).toThrow(/did not start installation "till-1"'s chain/);
  });
});

describe('two writers on one database file', () => {
  it('sees records another connection appended, and numbers after them', () => {
    const dir = tempDir('fiscal');
    const tenant = uniqueTenant('fiscal-writers');
    const app = device(dir, { tenant });
    app.fiscal.issueInvoice(INVOICE);
    const cli = device(dir, { tenant });
    cli.fiscal.issueInvoice(INVOICE);
    cli.fiscal.issueInvoice(INVOICE);
    expect(app.fiscal.issueInvoice(INVOICE)).toMatchObject({ number: 4, chain_index: 4 });
  });

  it('builds a record again when another connection took its position between the read and the insert', async () => {
    const dir = tempDir('fiscal');
    const tenant = uniqueTenant('fiscal-race');
    const other = device(dir, { tenant });
    other.fiscal.issueInvoice(INVOICE);
    let raced = false;
    // No transaction offered: the race is possible, and the unique indexes settle it.
    const racing = (store: FiscalStore): FiscalStore => ({
      ...store,
      insert: (table, row) => {
        if (!raced) {
          raced = true;
          other.fiscal.issueInvoice(INVOICE);
        }
        return store.insert(table, row);
      },
    });
    const app = device(dir, { tenant, transaction: false, store: racing });
    expect(app.fiscal.issueInvoice(INVOICE)).toMatchObject({ number: 3, chain_index: 3 });
    expect(app.fiscal.records().map((r) => r.number)).toEqual([1, 2, 3]);
    expect((await app.fiscal.verify()).ok).toBe(true);
  });
});
