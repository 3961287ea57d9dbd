export { CloudRecovery, type ReconcileOptions, type ReconcileResult, type RecoveryReport } from './cloud-recovery.js';
export { detectCloudChange, nextMark, type CloudChange } from './cloud-change.js';
export { CloudDigests } from './cloud-digests.js';
export { DIGEST_LIMITS, rangeHash, type DigestRow, type IdRange, type RangeDigest } from './digest-protocol.js';
export { compareIds, compareRanges, cutRange, type CloudDigestSource, type LocalDigest, type RangeComparison } from './range-compare.js';
export { reconcileTable, type TableReconcileResult } from './table-reconcile.js';
