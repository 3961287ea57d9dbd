export * from './remote-protocol.js';
export * from './remote-store.js';
export type { LiveFeed, LiveNudge } from './live-feed.js';
export * from './remote-errors.js';
export { isRetryableFailure, redactSecrets, toRemoteError, type FailureContext, type RemoteFailure } from './remote-error-mapping.js';
export { SupabaseRemote, type SupabaseConnection, type SupabaseRemoteOptions } from './supabase-remote.js';
export { namingPushArguments, PUSH_ARGUMENT_NAMES } from './push-wire-format.js';
export { assertWholeAnswer, IncompleteAnswerError, MAX_ANSWER_ROWS } from './incomplete-answer.js';
export { readKeysetPages, type KeysetReading } from './keyset-pages.js';
