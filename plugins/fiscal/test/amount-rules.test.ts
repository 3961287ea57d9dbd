import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deviceConfig, equinox, BUILTIN_PLUGINS } from '../../../host/test/host-kit.js';
import { deviceToken, installCloudSchema, pushRows, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  FiscalInputError,
  generateInstallationKeyPair,
  huella,
  nextLink,
  recordPreimage,
  signRecord,
  type FiscalRecord,
  type FiscalRecordInput,
} from '../src/index.js';
import { buildChain, issueInput } from './chain-fixtures.js';
import { invoiceRow } from './hostile-kit.js';

const cloud = inject('cloud');

/** The error `nextLink` throws for this input, as `field: expected` (or 'accepted'). */
function refusal(input: Partial<FiscalRecordInput>): string {
  try {
    nextLink(undefined, issueInput(input));
    return 'accepted';
  } catch (error) {
    if (!(error instanceof FiscalInputError)) throw error;
    return `${error.field}: ${error.expected}`;
  }
}

/** `link` with other amounts, hashed and signed again: what a device that skipped the rules would upload. */
function forged(link: FiscalRecord, amounts: Pick<FiscalRecord, 'tax_total' | 'gross_total' | 'invoice_type'>, keys: ReturnType<typeof generateInstallationKeyPair>): FiscalRecord {
  const changed = { ...link, ...amounts };
  const preimage = recordPreimage(changed);
  return signRecord({ ...changed, preimage, hash: huella(preimage), signature: null }, keys);
}

describe('fiscal amounts: checked, not only spelled right', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS, cloud);
  });

  it('the device refuses a negative amount on a selling invoice, tax above the total, and more than 12 integer digits', () => {
    const negative = 'an amount of 0.00 or more on an F1 invoice (a refund is a corrective invoice, R1 to R5)';
    expect(refusal({ invoice_type: 'F1', tax_total: '0.00', gross_total: '-121.00' })).toBe(`gross_total: ${negative}`);
    expect(refusal({ invoice_type: 'F1', tax_total: '-21.00', gross_total: '121.00' })).toBe(`tax_total: ${negative}`);
    expect(refusal({ invoice_type: 'F2', tax_total: '30.00', gross_total: '20.00' })).toBe('tax_total: at most gross_total (20.00): the total includes the tax');
    expect(refusal({ invoice_type: 'F1', tax_total: '0.00', gross_total: '12345678901234567890.00' })).toBe('gross_total: at most 12 digits before the decimal point');
    expect(refusal({ invoice_type: 'R1', tax_total: '1234567890123.00', gross_total: '-1.00' })).toBe('tax_total: at most 12 digits before the decimal point');
    // The edges that stay valid: zero, tax equal to the total, 12 digits, and a corrective invoice's negative or tax-only amounts.
    expect(refusal({ invoice_type: 'F1', tax_total: '0.00', gross_total: '0.00' })).toBe('accepted');
    expect(refusal({ invoice_type: 'F1', tax_total: '5.00', gross_total: '5.00' })).toBe('accepted');
    expect(refusal({ invoice_type: 'F1', tax_total: '0.00', gross_total: '999999999999.99' })).toBe('accepted');
    expect(refusal({ invoice_type: 'R1', tax_total: '-2.10', gross_total: '-12.10', corrects_invoice_id: 'some-invoice' })).toBe('accepted');
    expect(refusal({ invoice_type: 'R2', tax_total: '1.00', gross_total: '0.00', corrects_invoice_id: 'some-invoice' })).toBe('accepted');
  });

  it('the cloud refuses the same links from a device that skipped the rules, naming the field as the device does', async () => {
    const tenant = uniqueTenant('fiscal-amounts');
    const keys = generateInstallationKeyPair();
    const [first, second] = buildChain(keys, 2, { invoice_type: 'F1', installation_id: 'till-1' }) as [FiscalRecord, FiscalRecord];
    const token = await deviceToken(tenant, 'till-1');
    expect((await pushRows('invoices', [invoiceRow(tenant, first)], { token }))[0]).toMatchObject({ status: 'applied' });
    const cases: Array<[Pick<FiscalRecord, 'tax_total' | 'gross_total' | 'invoice_type'>, string]> = [
      [{ invoice_type: 'F1', tax_total: '0.00', gross_total: '-121.00' }, 'invalid gross_total: expected an amount of 0.00 or more on an F1 invoice (a refund is a corrective invoice, R1 to R5), found -121.00'],
      [{ invoice_type: 'F1', tax_total: '30.00', gross_total: '20.00' }, 'invalid tax_total: expected at most gross_total (20.00): the total includes the tax, found 30.00'],
      [{ invoice_type: 'F1', tax_total: '0.00', gross_total: '12345678901234567890.00' }, 'invalid gross_total: expected at most 12 digits before the decimal point, found 12345678901234567890.00'],
    ];
    for (const [amounts, reason] of cases) {
      const [outcome] = await pushRows('invoices', [invoiceRow(tenant, forged(second, amounts, keys))], { token });
      expect(outcome).toMatchObject({ status: 'rejected' });
      expect((outcome as { reason: string }).reason).toContain(`link 2: ${reason}`);
    }
    // The rules let the real second link through.
    expect((await pushRows('invoices', [invoiceRow(tenant, second)], { token }))[0]).toMatchObject({ status: 'applied' });
  });

  it('equinox fiscal issue refuses them with exit 1 and one line naming the field', async () => {
    const dir = tempDir('fiscal-amounts-cli');
    const file = join(dir, 'equinox.config.json');
    writeFileSync(file, JSON.stringify(await deviceConfig(cloud, { tenant: uniqueTenant('fiscal-amounts-cli'), device: 'till-1', dir, builtins: true })));
    const issue = ['fiscal', 'issue', '--series', 'T1-', '--type', 'F1', '--issuer-tax-id', 'B12345678', '--config', file];
    const above = await equinox([...issue, '--tax', '30.00', '--total', '20.00']);
    expect(above.exit).toBe(1);
    expect(above.stderr).toBe('Error: fiscal record field "tax_total": expected at most gross_total (20.00): the total includes the tax, found "30.00"\n');
    const negative = await equinox([...issue, '--tax', '0.00', '--total=-5.00']);
    expect(negative.exit).toBe(1);
    expect(negative.stderr).toContain('fiscal record field "gross_total": expected an amount of 0.00 or more on an F1 invoice');
    expect((await equinox([...issue, '--tax', '21.00', '--total', '121.00'])).exit).toBe(0);
  });
});
