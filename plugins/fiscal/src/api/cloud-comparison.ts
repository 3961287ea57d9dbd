import type { FiscalRecord } from '../chain/fiscal-record.js';
import type { CloudMark } from './cloud-marks.js';
import type { FiscalBreak } from './fiscal-api.js';

/**
 * What a comparison of the device's chains with the cloud's found: the first difference,
 * and how many of this installation's links are not uploaded yet.
 *
 * @example
 * const { brokenAt, pending } = compareWithCloud({ own: 'till-1', device, cloud, marks });
 */
export interface CloudComparison {
  readonly brokenAt: FiscalBreak | undefined;
  readonly pending: number;
}

/**
 * Compares two copies of a tenant's chains that each verified on their own. Per
 * installation, both must hold the same huellas at every common position, and:
 * - the cloud must hold at least what it was seen to hold (`marks`), a first link for each
 *   key it registered and, for another installation's chain, what the device pulled from
 *   it: else its tail was removed;
 * - for this installation (`own`), the device must hold every link the cloud holds
 *   (else the device lost its tail); links the cloud lacks beyond its marks are pending.
 *
 * @example
 * compareWithCloud({ own: 'till-1', device: localRecords, cloud: cloudRecords, marks: new Map() });
 */
export function compareWithCloud(input: {
  readonly own: string;
  readonly device: readonly FiscalRecord[];
  readonly cloud: readonly FiscalRecord[];
  readonly marks: ReadonlyMap<string, CloudMark>;
  /** Installations whose key the cloud registered: it registers one with a chain's first link. */
  readonly registered?: ReadonlySet<string>;
}): CloudComparison {
  const device = byChain(input.device);
  const cloud = byChain(input.cloud);
  const chains = [...new Set([...device.keys(), ...cloud.keys(), ...input.marks.keys()])].sort();
  let pending = 0;
  for (const chain of chains) {
    const mine = device.get(chain) ?? [];
    const theirs = cloud.get(chain) ?? [];
    const broken = (where: FiscalBreak['where'], reason: FiscalBreak['reason'], index: number, expected: string, found: string): CloudComparison => ({
      brokenAt: { where, chain, index, expected, found, reason },
      pending,
    });
    for (let i = 0; i < Math.min(mine.length, theirs.length); i++) {
      const [local, remote] = [mine[i] as FiscalRecord, theirs[i] as FiscalRecord];
      if (local.hash !== remote.hash) return broken('cloud', 'differs', i + 1, local.hash, remote.hash);
    }
    const mark = input.marks.get(chain);
    const marked = mark === undefined || mark.links < 1 ? undefined : theirs[mark.links - 1];
    if (mark !== undefined && marked !== undefined && marked.hash !== mark.lastHash) {
      return broken('cloud', 'differs', mark.links, mark.lastHash, marked.hash);
    }
    const held = Math.max(mark?.links ?? 0, chain === input.own ? 0 : mine.length, input.registered?.has(chain) === true ? 1 : 0);
    if (theirs.length < held) {
      const index = theirs.length + 1;
      const expected = mine[index - 1]?.hash ?? (mark?.links === index ? mark.lastHash : `link ${index}`);
      return broken('cloud', 'missing-in-cloud', index, expected, 'none');
    }
    if (chain === input.own) {
      const missing = theirs[mine.length];
      if (missing !== undefined) return broken('device', 'missing-on-device', mine.length + 1, missing.hash, 'none');
      pending += mine.length - theirs.length;
    }
  }
  return { brokenAt: undefined, pending };
}

/** Each installation's records in chain order (both copies verified, so position i holds link i + 1). */
function byChain(records: readonly FiscalRecord[]): Map<string, FiscalRecord[]> {
  const chains = new Map<string, FiscalRecord[]>();
  for (const record of records) {
    const links = chains.get(record.installation_id);
    if (links === undefined) chains.set(record.installation_id, [record]);
    else links.push(record);
  }
  for (const links of chains.values()) links.sort((a, b) => a.chain_index - b.chain_index);
  return chains;
}
