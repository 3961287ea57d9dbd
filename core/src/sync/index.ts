export { backoffDelay, type BackoffPolicy } from './backoff.js';
export { decideConflict, type ConflictInput } from './decide-conflict.js';
export { exhaustMapWithTrailing } from './exhaust-map-with-trailing.js';
export { strongerTrigger, syncTriggers, type SyncTrigger, type TriggerSources, type TriggerTimings } from './run-triggers.js';
