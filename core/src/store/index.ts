export { LocalStore, type LocalStoreOptions } from './local-store.js';
export { ScopedStore, type ReadOptions } from './scoped-store.js';
export type { ApplyResult } from './remote-apply.js';
export { ColumnLimitError, StoreError, SchemaMigrationError } from './store-error.js';
export { describeBreach, LIMIT_SQLSTATE, rowLimitBreach, type LimitBreach } from './column-check.js';
export { QUARANTINE_ROW_CHARS, type QuarantinedRow } from './quarantine.js';
export type { OutboxAck, OutboxBatchOptions, OutboxEntry, OutboxOp, PendingDelete, SyncState } from './sync-state.js';
export { SyncRecords, type ConflictRecord, type FailedEntry, type RecordSyncInfo, type WaitingEntry } from './sync-records.js';
export { RecoveryLedger, type CloudMark, type LedgerRow } from './recovery-ledger.js';
