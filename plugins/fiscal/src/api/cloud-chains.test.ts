import { IncompleteAnswerError } from '@equinox-sync/core/plugin';
import { describe, expect, it } from 'vitest';
import { buildChain } from '../../test/chain-fixtures.js';
import { chainFunctionNames } from '../chain/chain-export-sql.js';
import { generateInstallationKeyPair } from '../index.js';
import { readCloudChains, type CloudChainHead } from './cloud-chains.js';

const keys = generateInstallationKeyPair();
const chain = buildChain(keys, 1101);
const names = chainFunctionNames('invoices');
/** 1,001 installations: more chain heads than one answer of the API carries. */
const heads: CloudChainHead[] = Array.from({ length: 1001 }, (_, index) => ({
  installation_id: index === 0 ? 'till-1' : `till-z${String(index).padStart(4, '0')}`,
  links: index === 0 ? chain.length : 0,
  last_index: index === 0 ? chain.length : 0,
  last_hash: index === 0 ? (chain.at(-1)?.hash ?? null) : null,
  public_key: keys.publicKey,
}));

/** The export functions as the cloud answers them: a page after the key, at most the limit, capped at 1,000. */
function cloud(calls: Array<{ fn: string; args: Record<string, unknown> }>, ignoreAfter = false) {
  return async (fn: string, args: Record<string, unknown> = {}): Promise<unknown> => {
    calls.push({ fn, args });
    const limit = Math.min(Number(args.p_limit ?? 1000), 1000);
    if (fn === names.heads) {
      const after = ignoreAfter ? null : (args.p_after as string | null);
      return heads.filter((head) => after === null || head.installation_id > after).slice(0, limit);
    }
    const after = ignoreAfter ? 0 : Number(args.p_after ?? 0);
    return args.p_installation === 'till-1' ? chain.filter((record) => record.chain_index > after).slice(0, limit) : [];
  };
}

describe('readCloudChains', () => {
  it('reads every head and every record past 1,000, never asking more than a page holds', async () => {
    const calls: Array<{ fn: string; args: Record<string, unknown> }> = [];
    const read = await readCloudChains(cloud(calls), { pageSize: 5000 });
    expect(read.heads).toHaveLength(1001);
    expect(read.records.map((record) => record.chain_index)).toEqual(chain.map((record) => record.chain_index));
    expect(read.keys.size).toBe(1001);
    expect(calls.filter((call) => call.fn === names.heads).map((call) => call.args)).toEqual([
      { p_after: null, p_limit: 1000 },
      { p_after: heads[999]?.installation_id, p_limit: 1000 },
    ]);
    const till1 = calls.filter((call) => call.fn === names.records && call.args.p_installation === 'till-1');
    expect(till1.map((call) => call.args.p_after)).toEqual([0, 1000]);
  });

  it('refuses an export that does not page as asked, naming the function', async () => {
    const read = readCloudChains(cloud([], true));
    await expect(read).rejects.toBeInstanceOf(IncompleteAnswerError);
    await expect(read).rejects.toThrow(`the cloud's ${names.heads}() answered the row "till-1" twice`);
  });
});
