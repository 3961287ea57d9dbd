/**
 * Which remote call failed.
 *
 * @example
 * if (error.operation === 'push') markBatchFailed(error);
 */
export type RemoteOperation = 'push' | 'pull' | 'health' | 'rpc';

/**
 * What a {@link RemoteError} is made of; every text is already free of secrets.
 *
 * @example
 * new RemoteRejectedError({ operation: 'push', table: 'clients', status: 403, code: '42501', message: 'refused' });
 */
export interface RemoteErrorInit {
  readonly operation: RemoteOperation;
  readonly table?: string;
  readonly message: string;
  /** Postgres SQLSTATE or PostgREST `PGRST…` code, when the cloud gave one. */
  readonly code?: string;
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  readonly details?: string;
  readonly hint?: string;
}

/**
 * A failed call to the cloud. `retryable` tells the pipeline whether to back off and
 * try again (the cloud was unreachable, slow or failing) or to stop and report (the
 * cloud refused: permissions, constraints, a bad request). Keys and tokens never
 * appear in any of its fields.
 *
 * @example
 * try { await remote.push(table, items); } catch (e) {
 *   if (e instanceof RemoteError && e.retryable) scheduleRetry(); else reportFailure(e);
 * }
 */
export abstract class RemoteError extends Error {
  abstract readonly retryable: boolean;
  readonly operation: RemoteOperation;
  readonly table: string | undefined;
  readonly code: string | undefined;
  readonly status: number;
  readonly details: string | undefined;
  readonly hint: string | undefined;

  constructor(init: RemoteErrorInit) {
    super(init.message);
    this.operation = init.operation;
    this.table = init.table;
    this.code = init.code;
    this.status = init.status;
    this.details = init.details;
    this.hint = init.hint;
  }
}

/**
 * The cloud could not be reached or failed on its side (network, 5xx, a serialization
 * failure, a deadlock): the same call may succeed later.
 *
 * @example
 * if (error instanceof RemoteUnavailableError) status.online = false;
 */
export class RemoteUnavailableError extends RemoteError {
  override readonly name: string = 'RemoteUnavailableError';
  readonly retryable = true;
}

/**
 * No answer within the call's time budget. Retryable: the request may or may not have
 * been applied, which is harmless since pushes are idempotent.
 *
 * @example
 * if (error instanceof RemoteTimeoutError) console.warn(`slow cloud: ${error.message}`);
 */
export class RemoteTimeoutError extends RemoteUnavailableError {
  override readonly name: string = 'RemoteTimeoutError';
}

/**
 * The cloud answered and refused: permission (42501), a constraint (23xxx), a raised
 * exception (P0001), an invalid token or request (PGRST…). Retrying the same call fails
 * the same way.
 *
 * @example
 * if (error instanceof RemoteRejectedError && error.code === '42501') askForNewToken();
 */
export class RemoteRejectedError extends RemoteError {
  override readonly name: string = 'RemoteRejectedError';
  readonly retryable = false;
}

/**
 * The cloud answered something that is not the sync protocol: most often its schema was
 * not migrated, or was compiled by another version of the engine.
 *
 * @example
 * if (error instanceof RemoteProtocolError) console.error('apply the equinox migration');
 */
export class RemoteProtocolError extends RemoteError {
  override readonly name: string = 'RemoteProtocolError';
  readonly retryable = false;
}

/**
 * A push the cloud refused with `PUSH_PAUSED_CODE` (SQLSTATE EQ402): one of its push gates (a
 * plugin's rule about the caller, not its rows) refuses every upload of this caller for now. Not
 * the rows' fault: they keep waiting, unmarked, and the pull goes on. `reason` is the
 * cloud's own message (free of secrets), for `uploads paused: <reason>`.
 *
 * @example
 * if (error instanceof PushPausedError) status.lastError = `uploads paused: ${error.reason}`;
 */
export class PushPausedError extends RemoteRejectedError {
  override readonly name: string = 'PushPausedError';
  readonly reason: string;

  constructor(init: RemoteErrorInit & { readonly reason: string }) {
    super(init);
    this.reason = init.reason;
  }
}

/**
 * A push the cloud refused whole, before writing anything, because it is not as the
 * device expected ({@link PushExpectation}; SQLSTATE `EQ412`): `changed`. Or the cloud does
 * not check expectations (its schema is older than this engine's): `unchecked` — nothing
 * was written either. Either way the engine probes the cloud and goes the ordinary way.
 *
 * @example
 * if (error instanceof CloudNotAsExpectedError) health = await remote.health(2000);
 */
export class CloudNotAsExpectedError extends RemoteRejectedError {
  override readonly name: string = 'CloudNotAsExpectedError';
  readonly reason: 'changed' | 'unchecked';

  constructor(init: RemoteErrorInit & { readonly reason: 'changed' | 'unchecked' }) {
    super(init);
    this.reason = init.reason;
  }
}

/**
 * A push refused whole for its size: more rows or bytes than `eq_push` takes in one call
 * (SQLSTATE 54000), or a request body over the gateway's limit (HTTP 413). The engine's
 * batches are sized to stay below both; if one still is refused, it is sent again in halves.
 *
 * @example
 * if (error instanceof PushTooLargeError) retryInHalves(batch);
 */
export class PushTooLargeError extends RemoteRejectedError {
  override readonly name: string = 'PushTooLargeError';
}
