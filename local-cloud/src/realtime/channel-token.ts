import { errors, jwtVerify, type JWTPayload } from 'jose';

/** A token Realtime accepts: its claims, with the `role` and `exp` it requires. */
export interface AcceptedToken {
  readonly ok: true;
  readonly claims: JWTPayload & { readonly role: string; readonly exp: number };
}

/**
 * A token Realtime refuses, in Supabase Realtime's words: `code` is the prefix of a join
 * error (`InvalidJWTToken`, `MalformedJWT`, `JwtSignatureError`), `message` the reason a
 * refreshed token closes a channel with.
 */
export interface RefusedToken {
  readonly ok: false;
  readonly code: string;
  readonly message: string;
}

/**
 * Checks an access token as Supabase Realtime does for a join or a refresh: signed with
 * the project's secret (HS256), not expired, with `role` and `exp` claims.
 *
 * @example
 * const check = await checkChannelToken(token, new TextEncoder().encode(jwtSecret));
 * if (!check.ok) reply({ reason: `${check.code}: ${check.message}` });
 */
export async function checkChannelToken(token: string, key: Uint8Array): Promise<AcceptedToken | RefusedToken> {
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, key, { algorithms: ['HS256'] }));
  } catch (error) {
    return refusal(error);
  }
  if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') {
    return { ok: false, code: 'InvalidJWTToken', message: 'Fields `role` and `exp` are required in JWT' };
  }
  return { ok: true, claims: claims as AcceptedToken['claims'] };
}

/** Seconds a token has been expired for, as Realtime's "Token has expired N seconds ago" says. */
function expiredFor(exp: number): number {
  return Math.max(0, Math.floor(Date.now() / 1000) - exp);
}

function refusal(error: unknown): RefusedToken {
  if (error instanceof errors.JWTExpired) {
    const exp = typeof error.payload.exp === 'number' ? error.payload.exp : Math.floor(Date.now() / 1000);
    return { ok: false, code: 'InvalidJWTToken', message: `Token has expired ${expiredFor(exp)} seconds ago` };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JOSEAlgNotAllowed) {
    return { ok: false, code: 'JwtSignatureError', message: 'Failed to validate JWT signature' };
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return { ok: false, code: 'InvalidJWTToken', message: error.message };
  }
  return { ok: false, code: 'MalformedJWT', message: 'The token provided is not a valid JWT' };
}
