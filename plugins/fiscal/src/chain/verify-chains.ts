import type { ChainVerification } from './chain-break.js';
import type { FiscalRecord } from './fiscal-record.js';
import { checkLink } from './link-check.js';
import { numberingFaults } from './numbering-check.js';

/**
 * Installation id → raw base64 Ed25519 public key, as a Map or a plain object.
 *
 * @example
 * const keys: PublicKeys = { 'till-1': 'O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=' };
 */
export type PublicKeys = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/**
 * Walks every chain (one per `installation_id`) in `records`, in any input order, and
 * reports the first broken link. Each link must sit at the next position (1..n), point
 * at the previous huella, hold valid fields whose rebuilt preimage equals the stored one
 * and hashes to `hash`, carry the installation's key (first link) and signature; across
 * chains, each series must be numbered 1..n and each cancellation must name one issued
 * invoice. A missing tail is invisible to any chain on its own: compare with another
 * copy (the cloud's) for that.
 *
 * @example
 * const result = verifyChains(records, publicKeysFromChains(records));
 * if (!result.ok) console.log(result.brokenAt); // { chain: 'till-1', index: 7, reason: 'preimage', … }
 */
export function verifyChains(records: readonly FiscalRecord[], publicKeys: PublicKeys): ChainVerification {
  const chains = new Map<string, FiscalRecord[]>();
  for (const record of records) {
    const links = chains.get(record.installation_id);
    if (links === undefined) chains.set(record.installation_id, [record]);
    else links.push(record);
  }
  const ordered = [...chains.keys()].sort().map((chain) => {
    // Stable: two records claiming one position stay in input order and the second breaks.
    const links = (chains.get(chain) ?? []).sort((a, b) => a.chain_index - b.chain_index);
    return [chain, links] as const;
  });
  const faults = numberingFaults(ordered.flatMap(([, links]) => links));
  const summary = { chains: chains.size, records: records.length };
  for (const [chain, links] of ordered) {
    const publicKey = keyOf(publicKeys, chain);
    let previous: FiscalRecord | undefined;
    for (const [offset, record] of links.entries()) {
      const position = offset + 1;
      const fault = faults.get(record);
      const brokenAt =
        checkLink(chain, position, record, previous, publicKey) ??
        (fault === undefined ? undefined : { chain, index: position, ...fault });
      if (brokenAt !== undefined) return { ok: false, ...summary, brokenAt };
      previous = record;
    }
  }
  return { ok: true, ...summary };
}

/**
 * Each chain's key as its first link registered it: trust on first use, for checking a
 * device's own records. Prefer the keys the cloud registered when there is a cloud.
 *
 * @example
 * verifyChains(records, publicKeysFromChains(records));
 */
export function publicKeysFromChains(records: readonly FiscalRecord[]): Map<string, string> {
  const keys = new Map<string, string>();
  for (const record of records) {
    if (record.chain_index === 1 && record.public_key !== null) keys.set(record.installation_id, record.public_key);
  }
  return keys;
}

function keyOf(publicKeys: PublicKeys, chain: string): string | undefined {
  if (publicKeys instanceof Map) return publicKeys.get(chain);
  return Object.hasOwn(publicKeys, chain) ? (publicKeys as Readonly<Record<string, string>>)[chain] : undefined;
}
