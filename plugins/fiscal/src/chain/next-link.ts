import { FiscalInputError } from './fiscal-input-error.js';
import type { FiscalRecord, FiscalRecordInput } from './fiscal-record.js';
import { huella } from './huella.js';
import { normalizeRecordInput } from './record-fields.js';
import { recordPreimage } from './record-preimage.js';

/**
 * What {@link nextLink} needs of the link before: its chain, position and huella.
 *
 * @example
 * const previous: PreviousLink = { installation_id: 'till-1', chain_index: 41, hash: lastHash };
 */
export type PreviousLink = Pick<FiscalRecord, 'installation_id' | 'chain_index' | 'hash'>;

/**
 * The next record of an installation's chain, unsigned: `input` validated and
 * normalised, then `chain_index` (1 for the first link), `prev_hash` (the previous
 * huella, empty for the first link), `preimage` and `hash` (its huella). Sign it with
 * {@link signRecord} before storing it. Pure: the caller passes the chain's last record.
 *
 * @example
 * const first = signRecord(nextLink(undefined, input), keys);
 * const second = signRecord(nextLink(first, { ...input, id: nextId, number: 2 }), keys);
 * second.prev_hash === first.hash; // true
 */
export function nextLink(previous: PreviousLink | undefined, input: FiscalRecordInput): FiscalRecord {
  const fields = normalizeRecordInput(input);
  if (previous !== undefined && previous.installation_id !== fields.installation_id) {
    // One chain per installation: linking onto another device's record would fork both.
    throw new FiscalInputError('installation_id', `the previous link's installation "${previous.installation_id}"`, fields.installation_id);
  }
  const chain = { chain_index: previous === undefined ? 1 : previous.chain_index + 1, prev_hash: previous?.hash ?? '' };
  const preimage = recordPreimage({ ...fields, ...chain });
  return { ...fields, ...chain, preimage, hash: huella(preimage), public_key: null, signature: null };
}
