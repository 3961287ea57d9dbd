import { sign, verify } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { FiscalRecord } from './fiscal-record.js';
import { privateKeyObject, publicKeyObject, type InstallationKeyPair } from './installation-keys.js';

/** Names the format, so a later payload layout can never be mistaken for this one. */
const PAYLOAD_TAG = 'equinox-fiscal-signature/1\n';

/**
 * The bytes an installation signs for a record: a tag line, then the canonical JSON of
 * every column but `signature`. The huella (`hash`) already covers the fiscal fields and
 * the previous link; the columns it leaves out (lines, client, currency, the id a
 * cancellation points at, the chain position) are signed too, so no column of a signed
 * row can change unnoticed.
 *
 * @example
 * signaturePayload(record).toString('utf8'); // 'equinox-fiscal-signature/1\n{"cancels_invoice_id":null,…}'
 */
export function signaturePayload(record: FiscalRecord): Buffer {
  const { signature: _signature, ...columns } = record;
  return Buffer.from(PAYLOAD_TAG + canonicalJson(columns), 'utf8');
}

/**
 * `record` signed by its installation. The first link of a chain also carries the
 * public key, which registers it with the cloud (the first key registered wins).
 *
 * @example
 * const signed = signRecord(nextLink(undefined, input), keys);
 * signed.signature; // 88 base64 characters
 */
export function signRecord(record: FiscalRecord, keys: InstallationKeyPair): FiscalRecord {
  const withKey: FiscalRecord = { ...record, public_key: record.chain_index === 1 ? keys.publicKey : null, signature: null };
  const signature = sign(null, signaturePayload(withKey), privateKeyObject(keys.privateKey)).toString('base64');
  return { ...withKey, signature };
}

/**
 * Whether `record.signature` is its installation's signature over its current content.
 * A missing, malformed or forged signature is simply `false`.
 *
 * @example
 * verifyRecordSignature(signed, keys.publicKey); // true
 * verifyRecordSignature({ ...signed, lines: [] }, keys.publicKey); // false
 */
export function verifyRecordSignature(record: FiscalRecord, publicKey: string): boolean {
  if (typeof record.signature !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(record.signature)) return false;
  try {
    return verify(null, signaturePayload(record), publicKeyObject(publicKey), Buffer.from(record.signature, 'base64'));
  } catch {
    return false;
  }
}
