import { describe, expect, it } from 'vitest';
import { buildChain, cancel, issueInput } from '../../test/chain-fixtures.js';
import {
  generateInstallationKeyPair,
  huella,
  nextLink,
  publicKeysFromChains,
  recordPreimage,
  signRecord,
  verifyChains,
  type FiscalRecord,
} from '../index.js';

const keys = generateInstallationKeyPair();
const publicKeys = { 'till-1': keys.publicKey };

function replaced(chain: readonly FiscalRecord[], index: number, record: FiscalRecord): FiscalRecord[] {
  return chain.map((link) => (link.chain_index === index ? record : link));
}

describe('verifyChains: an intact chain', () => {
  it('holds, whatever order the records arrive in', () => {
    const chain = buildChain(keys, 10);
    cancel(chain, chain[3] as FiscalRecord, keys);
    const shuffled = [...chain].reverse();
    expect(verifyChains(shuffled, publicKeys)).toEqual({ ok: true, chains: 1, records: 11 });
    expect(verifyChains(chain, publicKeysFromChains(chain)).ok).toBe(true);
  });

  it('walks each installation on its own chain', () => {
    const other = generateInstallationKeyPair();
    const records = [...buildChain(keys, 5), ...buildChain(other, 4, { installation_id: 'till-2', series: 'B-' })];
    const result = verifyChains(records, new Map([['till-1', keys.publicKey], ['till-2', other.publicKey]]));
    expect(result).toEqual({ ok: true, chains: 2, records: 9 });
  });
});

describe('verifyChains: tampering', () => {
  const chain = buildChain(keys, 8);
  const fifth = chain[4] as FiscalRecord;

  it('finds an edited amount: the columns no longer rebuild the preimage', () => {
    const result = verifyChains(replaced(chain, 5, { ...fifth, gross_total: '1.00' }), publicKeys);
    expect(result.ok).toBe(false);
    expect(result.brokenAt).toMatchObject({ chain: 'till-1', index: 5, reason: 'preimage', found: fifth.preimage });
    expect(result.brokenAt?.expected).toContain('&ImporteTotal=1.00&');
  });

  it('finds an edit whose preimage and hash were recomputed: the next link and the signature disagree', () => {
    const preimage = recordPreimage({ ...fifth, gross_total: '1.00' });
    const forged = { ...fifth, gross_total: '1.00', preimage, hash: huella(preimage) };
    expect(verifyChains(replaced(chain, 5, forged), publicKeys).brokenAt).toMatchObject({ index: 5, reason: 'signature' });
  });

  it('finds an edit of a column the huella does not cover', () => {
    const result = verifyChains(replaced(chain, 5, { ...fifth, lines: [] }), publicKeys);
    expect(result.brokenAt).toMatchObject({ index: 5, reason: 'signature' });
  });

  it('finds a stored hash that is not the huella of its preimage', () => {
    const result = verifyChains(replaced(chain, 5, { ...fifth, hash: '0'.repeat(64) }), publicKeys);
    expect(result.brokenAt).toMatchObject({ index: 5, reason: 'hash', found: '0'.repeat(64), expected: fifth.hash });
  });

  it('finds a removed record', () => {
    const result = verifyChains(chain.filter((link) => link.chain_index !== 5), publicKeys);
    expect(result.brokenAt).toEqual({ chain: 'till-1', index: 5, expected: '5', found: '6', reason: 'chain-index' });
  });

  it('finds two records swapped', () => {
    const swapped = chain.map((link) => {
      if (link.chain_index === 4) return { ...link, chain_index: 5 };
      if (link.chain_index === 5) return { ...link, chain_index: 4 };
      return link;
    });
    const result = verifyChains(swapped, publicKeys);
    expect(result.brokenAt).toMatchObject({ index: 4, reason: 'prev-hash', expected: chain[2]?.hash, found: fifth.prev_hash });
  });

  it('finds a duplicated record', () => {
    const result = verifyChains([...chain, { ...fifth }], publicKeys);
    expect(result.brokenAt).toMatchObject({ index: 6, reason: 'chain-index', expected: '6', found: '5' });
  });

  it('finds a forged signature', () => {
    const forger = generateInstallationKeyPair();
    const forged = { ...fifth, signature: signRecord(fifth, forger).signature };
    const result = verifyChains(replaced(chain, 5, forged), publicKeys);
    expect(result.brokenAt).toMatchObject({ chain: 'till-1', index: 5, reason: 'signature', found: forged.signature });
  });

  it('finds a whole chain re-signed with another key', () => {
    const forger = generateInstallationKeyPair();
    const resigned = chain.map((link) => signRecord(link, forger));
    expect(verifyChains(resigned, publicKeys).brokenAt).toMatchObject({ index: 1, reason: 'public-key', expected: keys.publicKey });
    expect(verifyChains(chain, {}).brokenAt).toMatchObject({ index: 1, reason: 'public-key', found: 'none' });
  });

  it('finds a field no valid record holds', () => {
    const result = verifyChains(replaced(chain, 5, { ...fifth, tax_total: '2.1' }), publicKeys);
    expect(result.brokenAt).toMatchObject({ index: 5, reason: 'invalid-field', found: '"2.1"' });
  });

  it('reports the first broken link, not a later one', () => {
    const seventh = chain[6] as FiscalRecord;
    const tampered = replaced(replaced(chain, 7, { ...seventh, lines: [] }), 3, { ...(chain[2] as FiscalRecord), lines: [] });
    expect(verifyChains(tampered, publicKeys).brokenAt?.index).toBe(3);
  });
});

describe('verifyChains: cancellations', () => {
  it('accepts one cancellation of an issued invoice, refuses a second or a dangling one', () => {
    const chain = buildChain(keys, 3);
    const second = chain[1] as FiscalRecord;
    cancel(chain, second, keys);
    expect(verifyChains(chain, publicKeys).ok).toBe(true);
    cancel(chain, second, keys);
    expect(verifyChains(chain, publicKeys).brokenAt).toMatchObject({ index: 5, reason: 'cancellation' });

    const dangling = buildChain(keys, 2);
    cancel(dangling, { ...second, number: 9, id: 'nowhere' }, keys);
    expect(verifyChains(dangling, publicKeys).brokenAt).toMatchObject({ index: 3, reason: 'cancellation', found: 'none' });
  });

  it('requires the cancellation to name the invoice by id and issue date', () => {
    const chain = buildChain(keys, 2);
    cancel(chain, { ...(chain[0] as FiscalRecord), id: 'someone-else' }, keys);
    expect(verifyChains(chain, publicKeys).brokenAt).toMatchObject({ index: 3, reason: 'cancellation' });
  });

  it('uses the cancelled invoice identity in the preimage', () => {
    const chain = buildChain(keys, 1);
    const record = cancel(chain, chain[0] as FiscalRecord, keys);
    expect(record.preimage).toMatch(/^IDEmisorFacturaAnulada=89890001K&NumSerieFacturaAnulada=A-1&FechaExpedicionFacturaAnulada=01-03-2025&Huella=[0-9A-F]{64}&/);
    expect(nextLink(record, issueInput({ number: 2 })).chain_index).toBe(3);
  });
});
