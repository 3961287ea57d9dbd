export { LocalStore, type LocalStoreOptions } from './local-store.js';
export { ScopedStore, type ReadOptions } from './scoped-store.js';
export type { ApplyResult } from './remote-apply.js';
export { StoreError, SchemaMigrationError } from './store-error.js';
export type { OutboxAck, OutboxBatchOptions, OutboxEntry, OutboxOp, PendingDelete, SyncState } from './sync-state.js';
export { SyncRecords, type ConflictRecord, type FailedEntry, type RecordSyncInfo, type WaitingEntry } from './sync-records.js';
