import { describe, expect, it } from 'vitest';
import { issueInput } from '../../test/chain-fixtures.js';
import {
  canonicalJson,
  generateInstallationKeyPair,
  isPublicKey,
  nextLink,
  signaturePayload,
  signRecord,
  verifyRecordSignature,
} from '../index.js';

describe('installation signatures (Ed25519)', () => {
  const keys = generateInstallationKeyPair();

  it('makes a raw base64 public key and a PKCS#8 PEM private key', () => {
    expect(isPublicKey(keys.publicKey)).toBe(true);
    expect(Buffer.from(keys.publicKey, 'base64')).toHaveLength(32);
    expect(keys.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(generateInstallationKeyPair().publicKey).not.toBe(keys.publicKey);
  });

  it('signs a record, carrying the key on the first link only, and verifies it', () => {
    const first = signRecord(nextLink(undefined, issueInput()), keys);
    const second = signRecord(nextLink(first, issueInput({ number: 2 })), keys);
    expect(first.public_key).toBe(keys.publicKey);
    expect(second.public_key).toBeNull();
    expect(Buffer.from(first.signature ?? '', 'base64')).toHaveLength(64);
    expect(verifyRecordSignature(first, keys.publicKey)).toBe(true);
    expect(verifyRecordSignature(second, keys.publicKey)).toBe(true);
  });

  it('covers the hash and the columns the huella leaves out', () => {
    const record = signRecord(nextLink(undefined, issueInput()), keys);
    expect(verifyRecordSignature({ ...record, hash: '0'.repeat(64) }, keys.publicKey)).toBe(false);
    expect(verifyRecordSignature({ ...record, lines: [] }, keys.publicKey)).toBe(false);
    expect(verifyRecordSignature({ ...record, client_tax_id: 'B00000000' }, keys.publicKey)).toBe(false);
    expect(verifyRecordSignature({ ...record, chain_index: 2 }, keys.publicKey)).toBe(false);
  });

  it('refuses a signature by another key, a garbled one and none', () => {
    const record = signRecord(nextLink(undefined, issueInput()), keys);
    const forger = generateInstallationKeyPair();
    const forged = { ...record, signature: signRecord(record, forger).signature };
    expect(verifyRecordSignature(forged, keys.publicKey)).toBe(false);
    expect(verifyRecordSignature({ ...record, signature: 'AAAA' }, keys.publicKey)).toBe(false);
    expect(verifyRecordSignature({ ...record, signature: null }, keys.publicKey)).toBe(false);
    expect(verifyRecordSignature(record, forger.publicKey)).toBe(false);
  });

  it('signs the same bytes whatever order the JSON keys come back in', () => {
    const record = signRecord(nextLink(undefined, issueInput({ lines: [{ b: '1', a: '2' }] })), keys);
    const reordered = { ...record, lines: [{ a: '2', b: '1' }] };
    expect(signaturePayload(reordered).equals(signaturePayload(record))).toBe(true);
    expect(verifyRecordSignature(reordered, keys.publicKey)).toBe(true);
    expect(canonicalJson({ z: [1, { y: null, x: 'é' }], a: true })).toBe('{"a":true,"z":[1,{"x":"é","y":null}]}');
  });
});
