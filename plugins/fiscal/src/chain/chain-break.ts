/**
 * Why a link is broken:
 * - `chain-index`: positions do not run 1, 2, 3… (a record removed, duplicated or moved);
 * - `prev-hash`: the link does not point at the huella of the link before;
 * - `invalid-field`: a column holds a value no valid record can hold;
 * - `preimage`: the stored preimage is not the one the columns rebuild (a column edited);
 * - `hash`: the stored huella is not the SHA-256 of the preimage;
 * - `public-key`: the installation's key is unknown or differs from the registered one;
 * - `signature`: the installation did not sign this content;
 * - `number-gap` / `number-duplicate`: the series skips or repeats a number;
 * - `cancellation`: a cancellation names no issued invoice, or one already cancelled;
 * - `correction`: a corrective invoice names no issued invoice.
 *
 * @example
 * const reason: ChainBreakReason = 'prev-hash';
 */
export type ChainBreakReason =
  | 'chain-index'
  | 'prev-hash'
  | 'invalid-field'
  | 'preimage'
  | 'hash'
  | 'public-key'
  | 'signature'
  | 'number-gap'
  | 'number-duplicate'
  | 'cancellation'
  | 'correction';

/**
 * The first broken link: its chain (installation id), its position in the chain, what
 * was expected there and what was found.
 *
 * @example
 * const broken: ChainBreak = { chain: 'till-1', index: 3, expected: '3', found: '4', reason: 'chain-index' };
 */
export interface ChainBreak {
  readonly chain: string;
  readonly index: number;
  readonly expected: string;
  readonly found: string;
  readonly reason: ChainBreakReason;
}

/**
 * What {@link verifyChains} found: `ok` when every link of every chain holds, how many
 * chains and records it was given, and otherwise the first broken link (chains in
 * installation id order, links in chain order).
 *
 * @example
 * const result: ChainVerification = { ok: true, chains: 2, records: 1000 };
 */
export interface ChainVerification {
  readonly ok: boolean;
  readonly chains: number;
  readonly records: number;
  readonly brokenAt?: ChainBreak;
}
