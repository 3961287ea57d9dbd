import { describe, expect, it } from 'vitest';
import { buildChain, issueInput } from '../../test/chain-fixtures.js';
import { generateInstallationKeyPair, nextLink, signRecord, verifyChains, type FiscalRecord } from '../index.js';

const keys = generateInstallationKeyPair();
const publicKeys = { 'till-1': keys.publicKey };

/** A correctly linked and signed chain whose numbers are given, right or wrong. */
function numbered(numbers: readonly number[]): FiscalRecord[] {
  const chain: FiscalRecord[] = [];
  for (const number of numbers) chain.push(signRecord(nextLink(chain.at(-1), issueInput({ number })), keys));
  return chain;
}

describe('numbering per series', () => {
  it('issues 1,000 invoices of a series numbered 1..1000, no gap, no duplicate', () => {
    const chain = buildChain(keys, 1000);
    expect(chain.map((record) => record.number)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(new Set(chain.map((record) => record.hash)).size).toBe(1000);
    expect(verifyChains(chain, publicKeys)).toEqual({ ok: true, chains: 1, records: 1000 });
  });

  it('finds a gap in a well-linked chain', () => {
    const result = verifyChains(numbered([1, 2, 4, 5]), publicKeys);
    expect(result.brokenAt).toEqual({ chain: 'till-1', index: 3, expected: 'A-3', found: 'A-4', reason: 'number-gap' });
  });

  it('finds a duplicate in a well-linked chain', () => {
    const result = verifyChains(numbered([1, 2, 2, 3]), publicKeys);
    expect(result.brokenAt).toEqual({ chain: 'till-1', index: 3, expected: 'A-3', found: 'A-2', reason: 'number-duplicate' });
  });

  it('requires a series to start at 1', () => {
    expect(verifyChains(numbered([2, 3]), publicKeys).brokenAt).toMatchObject({ index: 1, reason: 'number-gap', expected: 'A-1' });
  });

  it('finds the same series numbered again by a second installation', () => {
    const other = generateInstallationKeyPair();
    const records = [...buildChain(keys, 3), ...buildChain(other, 2, { installation_id: 'till-2' })];
    const result = verifyChains(records, { ...publicKeys, 'till-2': other.publicKey });
    expect(result.brokenAt).toMatchObject({ chain: 'till-2', index: 1, reason: 'number-duplicate' });
  });

  it('numbers each series and each issuer separately', () => {
    const chain: FiscalRecord[] = [];
    const inputs = [
      issueInput({ series: 'A-', number: 1 }),
      issueInput({ series: 'B-', number: 1 }),
      issueInput({ series: 'A-', number: 2 }),
      issueInput({ series: 'A-', number: 1, issuer_tax_id: 'B00000000' }),
    ];
    for (const input of inputs) chain.push(signRecord(nextLink(chain.at(-1), input), keys));
    expect(verifyChains(chain, publicKeys).ok).toBe(true);
  });
});
