import type { ChainVerification } from '../chain/chain-break.js';
import type { FiscalRecord } from '../chain/fiscal-record.js';
import { publicKeysFromChains, verifyChains } from '../chain/verify-chains.js';
import { readCloudChains, type CloudRpc } from './cloud-chains.js';
import { compareWithCloud } from './cloud-comparison.js';
import { marksOf, type CloudMarks } from './cloud-marks.js';
import type { FiscalBreak, FiscalVerification } from './fiscal-api.js';

/**
 * What {@link verifyFiscalChains} checks: the device's records, this installation's id
 * and public key, and, to check against the cloud, its RPC and the marks of what it held.
 *
 * @example
 * const request: FiscalVerificationRequest = { own: 'till-1', device: ledger.all(), ownKey: keys.publicKey };
 */
export interface FiscalVerificationRequest {
  readonly own: string;
  readonly device: readonly FiscalRecord[];
  /** This installation's public key, when it has one: its own chain must carry it. */
  readonly ownKey: string | undefined;
  readonly cloud?: CloudRpc;
  readonly marks?: CloudMarks;
}

/**
 * Verifies the device's chains and, when `cloud` is given, the cloud's, then compares
 * the two. The device's chains are checked against this installation's own key and the
 * keys each chain's first link carries or, when the cloud is read, the keys the cloud
 * registered. Stops at the first broken link; a clean check against the cloud raises
 * the marks of what the cloud held.
 *
 * @example
 * const result = await verifyFiscalChains({ own, device, ownKey, cloud: (fn, args) => context.cloud.rpc(fn, args), marks });
 */
export async function verifyFiscalChains(request: FiscalVerificationRequest): Promise<FiscalVerification> {
  const { own, device, ownKey } = request;
  const keys = publicKeysFromChains(device);
  if (ownKey !== undefined) keys.set(own, ownKey);
  if (request.cloud === undefined) return summary(verifyChains(device, keys), 'device');

  const cloud = await readCloudChains(request.cloud);
  const registered = cloud.keys.get(own);
  const counts = (remote: ChainVerification, pending: number) => ({ chains: remote.chains, records: remote.records, pending });
  if (ownKey !== undefined && registered !== undefined && registered !== ownKey) {
    // Someone registered another key for this installation first: its uploads will be refused.
    const brokenAt: FiscalBreak = { where: 'cloud', chain: own, index: 1, expected: ownKey, found: registered, reason: 'public-key' };
    return { ...summary(verifyChains(device, keys), 'device'), ok: false, brokenAt };
  }
  for (const [chain, key] of cloud.keys) keys.set(chain, key);
  const local = verifyChains(device, keys);
  const remote = verifyChains(cloud.records, cloud.keys);
  if (!local.ok) return { ...summary(local, 'device'), cloud: counts(remote, 0) };
  if (!remote.ok) return { ...summary(local, 'device'), ok: false, brokenAt: located(remote, 'cloud'), cloud: counts(remote, 0) };

  const marks = request.marks?.read() ?? new Map();
  const registeredChains = new Set(cloud.keys.keys());
  const comparison = compareWithCloud({ own, device, cloud: cloud.records, marks, registered: registeredChains });
  if (comparison.brokenAt !== undefined) {
    return { ...summary(local, 'device'), ok: false, brokenAt: comparison.brokenAt, cloud: counts(remote, comparison.pending) };
  }
  request.marks?.raise(marksOf(cloud.records));
  return { ...summary(local, 'device'), cloud: counts(remote, comparison.pending) };
}

function summary(result: ChainVerification, where: FiscalBreak['where']): FiscalVerification {
  return { ok: result.ok, chains: result.chains, records: result.records, brokenAt: located(result, where) };
}

function located(result: ChainVerification, where: FiscalBreak['where']): FiscalBreak | null {
  return result.brokenAt === undefined ? null : { where, ...result.brokenAt };
}
