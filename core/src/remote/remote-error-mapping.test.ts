import { describe, expect, it } from 'vitest';
import { isMissingFunction, toRemoteError } from './remote-error-mapping.js';
import { PushPausedError, PushTooLargeError, RemoteRejectedError } from './remote-errors.js';
import { PUSH_PAUSED_CODE } from './remote-protocol.js';

describe('push refusals the pipeline treats apart', () => {
  it('maps a push gate refusal (EQ402) to PushPausedError carrying the cloud message, secrets removed', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJ0ZW5hbnQiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const error = toRemoteError(
      { status: 400, code: PUSH_PAUSED_CODE, message: `no valid licence for ${token}` },
      { operation: 'push', table: 'lines', secrets: [token] },
    );
    expect(error).toBeInstanceOf(PushPausedError);
    expect(error.retryable).toBe(false);
    expect((error as PushPausedError).reason).toBe('no valid licence for [redacted]');
    expect(error.message).toBe('push "lines" failed: no valid licence for [redacted] (code EQ402, HTTP 400)');
  });

  it('maps the cap refusal (54000) and a body too large (413) to PushTooLargeError', () => {
    const cap = toRemoteError({ status: 400, code: '54000', message: 'a push may carry at most 1000 rows; this one has 1001' }, { operation: 'push', table: 'lines' });
    expect(cap).toBeInstanceOf(PushTooLargeError);
    expect(cap.retryable).toBe(false);
    const body = toRemoteError({ status: 413, message: 'the request body is larger than 4194304 bytes' }, { operation: 'push', table: 'lines' });
    expect(body).toBeInstanceOf(PushTooLargeError);
  });

  it('leaves the same codes on other calls as ordinary refusals', () => {
    const pull = toRemoteError({ status: 400, code: PUSH_PAUSED_CODE, message: 'x' }, { operation: 'pull', table: 'lines' });
    expect(pull).toBeInstanceOf(RemoteRejectedError);
    expect(pull).not.toBeInstanceOf(PushPausedError);
    expect(toRemoteError({ status: 400, code: '54000', message: 'x' }, { operation: 'rpc' })).not.toBeInstanceOf(PushTooLargeError);
  });
});

describe('a cloud without the equinox schema', () => {
  it('maps PostgREST\'s "function not found" (PGRST202) to a final error naming the fix', () => {
    const error = toRemoteError(
      { status: 404, code: 'PGRST202', message: 'Could not find the function public.eq_pull(p_cursor, p_limit, p_table) in the schema cache', hint: null },
      { operation: 'pull', table: 'lines' },
    );
    expect(error).toBeInstanceOf(RemoteRejectedError);
    expect(error.retryable).toBe(false);
    expect(isMissingFunction(error)).toBe(true);
    expect(error.message).toBe(
      'the cloud has no equinox schema (eq_pull is missing): run "equinox cloud sql --apply" on the local cloud, ' +
        'or apply the migration from "equinox cloud sql" to your Supabase project',
    );
    expect(error.code).toBe('PGRST202');
  });

  it('names a plugin\'s missing function as an older schema', () => {
    const error = toRemoteError(
      { status: 404, code: 'PGRST202', message: 'Could not find the function public.lines_total without parameters in the schema cache' },
      { operation: 'rpc' },
    );
    expect(isMissingFunction(error)).toBe(true);
    expect(error.message).toMatch(/^the cloud has no function lines_total: its equinox schema is older than this device's plugins: run "equinox cloud sql --apply"/);
  });
});
