import { PUSH_EXPECTATION_CODE, PUSH_PAUSED_CODE } from './remote-protocol.js';
import {
  CloudNotAsExpectedError,
  PushPausedError,
  PushTooLargeError,
  RemoteRejectedError,
  RemoteTimeoutError,
  RemoteUnavailableError,
  type RemoteError,
  type RemoteErrorInit,
  type RemoteOperation,
} from './remote-errors.js';

/**
 * A failed response as supabase-js reports it (`{ error, status }` of a query).
 *
 * @example
 * const failure: RemoteFailure = { status: 409, code: '23505', message: 'duplicate key value' };
 */
export interface RemoteFailure {
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  readonly code?: string | null;
  readonly message?: string | null;
  readonly details?: string | null;
  readonly hint?: string | null;
}

/**
 * The call a failure belongs to, and what must be scrubbed from its texts.
 *
 * @example
 * const context: FailureContext = { operation: 'pull', table: 'clients', secrets: [anonKey, userJwt] };
 */
export interface FailureContext {
  readonly operation: RemoteOperation;
  readonly table?: string;
  /** The call was aborted because its time budget ran out. */
  readonly timedOut?: boolean;
  readonly timeoutMs?: number;
  /** Keys and tokens of this client; removed from every text of the error. */
  readonly secrets?: readonly string[];
}

/**
 * SQLSTATEs that describe the moment, not the request: connection loss (08), a
 * serialization failure or deadlock, lack of resources (53), shutdown or cancellation
 * (57), system and internal errors (58, XX), a lock not available.
 */
const RETRYABLE_SQLSTATE = /^(08|53|57|58|XX)|^(40001|40P01|40003|55P03)$/;
/** PostgREST's own codes are about the request, except "cannot reach the database" (PGRST000–003). */
const RETRYABLE_POSTGREST = /^PGRST00[0-3]$/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Whether the same call may succeed later. A code the cloud gave decides first (so a
 * 500 carrying a constraint or raised-exception code is final); without one, no
 * response, 5xx, 408 and 429 are retryable.
 *
 * @example
 * isRetryableFailure({ status: 0 }); // true: no response
 * isRetryableFailure({ status: 403, code: '42501' }); // false: refused by RLS
 */
export function isRetryableFailure(failure: RemoteFailure): boolean {
  if (failure.status === 0) return true;
  const code = failure.code ?? '';
  if (code.startsWith('PGRST')) return RETRYABLE_POSTGREST.test(code);
  if (SQLSTATE.test(code)) return RETRYABLE_SQLSTATE.test(code);
  return failure.status >= 500 || failure.status === 408 || failure.status === 429;
}

/** SQLSTATE `program_limit_exceeded`: `eq_push` refuses a call above its row or byte cap. */
const PUSH_CAP_CODE = '54000';

/** PostgREST: no function of that name and those argument names in its schema cache. */
const FUNCTION_NOT_FOUND_CODE = 'PGRST202';
/** The function PostgREST names: `...the function public.eq_pull(p_cursor, ...) in...`, `...public.f without parameters...`. */
const MISSING_FUNCTION = /function\s+(?:"?[\w$]+"?\.)?"?([\w$]+)/;

/** What to do about a cloud without the equinox schema: the same words wherever it shows. */
const SCHEMA_FIX = 'run "equinox cloud sql --apply" on the local cloud, or apply the migration from "equinox cloud sql" to your Supabase project';

/**
 * Turns a failed supabase-js response into a typed {@link RemoteError}, keeping the
 * Postgres code and the HTTP status and scrubbing keys and tokens from every text. Three
 * refusals of a push get their own types, since the pipeline treats them apart: a push
 * gate's (`EQ402`, {@link PushPausedError}), a cloud not as the device expected (`EQ412`,
 * {@link CloudNotAsExpectedError}) and a call too large for the cloud (`54000`
 * or HTTP 413, {@link PushTooLargeError}). A function the cloud does not have
 * (`PGRST202`) means its schema is missing or older than the device: a final refusal
 * (no run loops on it) whose message names the fix ({@link isMissingFunction}).
 *
 * @example
 * const { data, error, status } = await client.rpc('eq_push', args);
 * if (error) throw toRemoteError({ ...error, status }, { operation: 'push', table, secrets: [key] });
 */
export function toRemoteError(failure: RemoteFailure, context: FailureContext): RemoteError {
  const scrub = (text: string | null | undefined): string | undefined =>
    text ? redactSecrets(text, context.secrets ?? []) : undefined;
  const call = `${context.operation}${context.table === undefined ? '' : ` "${context.table}"`}`;
  const code = failure.code ? failure.code : undefined;
  const init = {
    operation: context.operation,
    table: context.table,
    code,
    status: failure.status,
    details: scrub(withoutStack(failure.details)),
    hint: scrub(failure.hint),
  };
  if (context.timedOut) {
    return new RemoteTimeoutError({ ...init, message: `${call} timed out after ${context.timeoutMs ?? '?'} ms` });
  }
  const reason = scrub(failure.message) ?? 'no message';
  if (failure.status === 0) {
    const cause = /\(([A-Z][A-Z_]+)\)/.exec(failure.details ?? '')?.[1];
    return new RemoteUnavailableError({ ...init, message: `${call} failed: the cloud is unreachable (${cause ?? reason})` });
  }
  if (code === FUNCTION_NOT_FOUND_CODE) return missingFunction(init, reason);
  const where = [code === undefined ? undefined : `code ${code}`, `HTTP ${failure.status}`].filter(Boolean).join(', ');
  const message = `${call} failed: ${reason} (${where})`;
  if (context.operation === 'push' && code === PUSH_PAUSED_CODE) return new PushPausedError({ ...init, message, reason });
  if (context.operation === 'push' && code === PUSH_EXPECTATION_CODE) return new CloudNotAsExpectedError({ ...init, message, reason: 'changed' });
  if (context.operation === 'push' && (code === PUSH_CAP_CODE || failure.status === 413)) return new PushTooLargeError({ ...init, message });
  return isRetryableFailure(failure) ? new RemoteUnavailableError({ ...init, message }) : new RemoteRejectedError({ ...init, message });
}

/**
 * Whether the cloud refused a call for lacking the function: no equinox schema, or an
 * older one. The message of such an error already names the fix.
 *
 * @example
 * if (health.error && isMissingFunction(health.error)) return health.error.message;
 */
export function isMissingFunction(error: RemoteError): boolean {
  return !error.retryable && error.code === FUNCTION_NOT_FOUND_CODE;
}

function missingFunction(init: Omit<RemoteErrorInit, 'message'>, reason: string): RemoteRejectedError {
  const name = MISSING_FUNCTION.exec(reason)?.[1];
  // The engine's own functions come with the schema's foundation; a plugin's comes with its part of the migration.
  const message = name === undefined || name.startsWith('eq_')
    ? `the cloud has no equinox schema (${name ?? 'a function'} is missing): ${SCHEMA_FIX}`
    : `the cloud has no function ${name}: its equinox schema is older than this device's plugins: ${SCHEMA_FIX}`;
  return new RemoteRejectedError({ ...init, message });
}

/** JWTs (Supabase's legacy keys and user tokens), Supabase's new API keys, bearer values. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /eyJ[\w-]*\.[\w-]+\.[\w-]+/g,
  /\bsb_(?:publishable|secret)_[\w-]+/g,
  /(?<=\bBearer\s+)\S+/gi,
];

/**
 * Removes the given secrets, and anything shaped like a JWT, a Supabase API key or a
 * bearer token, from `text`.
 *
 * @example
 * redactSecrets(`bad key ${key}`, [key]); // 'bad key [redacted]'
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // Short strings would blank out ordinary words; real keys and tokens are long.
    if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, '[redacted]');
  return out;
}

/** supabase-js puts the fetch error's stack into `details`: noise in a status line. */
function withoutStack(details: string | null | undefined): string | undefined {
  if (!details) return undefined;
  return details
    .split('\n')
    .filter((line) => !/^\s+at\s/.test(line))
    .join('\n')
    .trim();
}
