import { jwtVerify, SignJWT, type JWTPayload } from 'jose';

/** The roles Supabase's PostgREST switches to, read from a token's `role` claim. */
export type SupabaseRole = 'anon' | 'authenticated' | 'service_role';

/**
 * Claims of a token minted by the local cloud. `tenant_id` is what row-level security
 * keys on; any extra claim (e.g. `eq_role`) is carried as given.
 */
export interface TokenClaims {
  readonly role?: SupabaseRole;
  readonly tenant_id?: string;
  readonly sub?: string;
  readonly [claim: string]: unknown;
}

/** How long a token lives: seconds, or a jose time span such as `'30d'`. */
export interface MintOptions {
  readonly expiresIn?: number | string;
}

const ISSUER = 'equinox-local-cloud';

/**
 * Signs HS256 JWTs with the cloud's secret, as Supabase signs its API keys and user
 * sessions.
 *
 * @example
 * const tokens = new TokenMinter(secret);
 * const device = await tokens.mint({ role: 'authenticated', tenant_id: 'store-1' });
 */
export class TokenMinter {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  /** Signs `claims`; `role` defaults to `authenticated`, expiry to 30 days. */
  async mint(claims: TokenClaims, options: MintOptions = {}): Promise<string> {
    const payload: JWTPayload = { role: 'authenticated', ...claims };
    const expiresIn = options.expiresIn ?? '30d';
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn)
      .sign(this.key);
  }

  /** The claims of a token signed with this secret, or `undefined` when it is forged, malformed or expired. */
  async verify(token: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      return payload;
    } catch {
      return undefined;
    }
  }
}
