import type { ChainBreak } from './chain-break.js';
import type { FiscalRecord } from './fiscal-record.js';
import { huella } from './huella.js';
import { storedFieldProblem } from './record-fields.js';
import { recordPreimage } from './record-preimage.js';
import { verifyRecordSignature } from './record-signature.js';

/**
 * What is broken in the link at `position` of a chain, given the link before it and the
 * installation's public key; `undefined` when the link holds. Checks run from the
 * structural to the cryptographic, so the reason names the most basic fault.
 *
 * @example
 * checkLink('till-1', 2, second, first, keys.publicKey); // undefined
 */
export function checkLink(
  chain: string,
  position: number,
  record: FiscalRecord,
  previous: FiscalRecord | undefined,
  publicKey: string | undefined,
): ChainBreak | undefined {
  const broken = (reason: ChainBreak['reason'], expected: string, found: string): ChainBreak => ({
    chain,
    index: position,
    expected,
    found,
    reason,
  });
  if (record.chain_index !== position) return broken('chain-index', String(position), String(record.chain_index));
  const prevHash = previous?.hash ?? '';
  if (record.prev_hash !== prevHash) return broken('prev-hash', prevHash, String(record.prev_hash));
  const problem = storedFieldProblem(record);
  if (problem !== undefined) return broken('invalid-field', `${problem.field}: ${problem.expected}`, problem.found);
  const preimage = recordPreimage(record);
  if (record.preimage !== preimage) return broken('preimage', preimage, String(record.preimage));
  const hash = huella(record.preimage);
  if (record.hash !== hash) return broken('hash', hash, String(record.hash));
  if (publicKey === undefined) return broken('public-key', `a public key for installation "${chain}"`, 'none');
  if (position === 1 && record.public_key !== publicKey) {
    // The first link registers the key: a chain re-signed with another key shows here.
    return broken('public-key', publicKey, String(record.public_key));
  }
  if (position > 1 && record.public_key !== null && record.public_key !== publicKey) {
    return broken('public-key', publicKey, record.public_key);
  }
  if (!verifyRecordSignature(record, publicKey)) {
    return broken('signature', `a signature by ${publicKey}`, String(record.signature));
  }
  return undefined;
}
