import { jwtVerify, SignJWT, type JWTPayload } from 'jose';

/** The roles Supabase's PostgREST switches to, read from a token's `role` claim. */
export type SupabaseRole = 'anon' | 'authenticated' | 'service_role';

/**
 * Claims of a token minted by the local cloud. A device's tenant and identity go in
 * `app_metadata` (see {@link deviceClaims}); top-level `tenant_id`, `device_id` and
 * `eq_role`, the shape a Supabase custom access token hook makes, are accepted too. Any
 * other claim is carried as given.
 *
 * @example
 * const claims: TokenClaims = { role: 'authenticated', app_metadata: { tenant_id: 'store-1', device_id: 'till-1' } };
 */
export interface TokenClaims {
  readonly role?: SupabaseRole;
  readonly tenant_id?: string;
  readonly sub?: string;
  readonly app_metadata?: DeviceMetadata;
  readonly [claim: string]: unknown;
}

/**
 * What the cloud reads about a device from its token's `app_metadata`, the part of a
 * Supabase user only the service key can write (never `user_metadata`, which the user
 * may change).
 *
 * @example
 * const metadata: DeviceMetadata = { tenant_id: 'hq', device_id: 'office', eq_role: 'master' };
 */
export interface DeviceMetadata {
  readonly tenant_id?: string;
  /** The installation: the device config's `deviceId`, to which chains, keys and licence seats are bound. */
  readonly device_id?: string;
  /** `master`: a head-office device, which may read aggregates across tenants. */
  readonly eq_role?: string;
  readonly [claim: string]: unknown;
}

/** Who a device is, as {@link deviceClaims} takes it. */
export interface DeviceIdentity {
  readonly tenant: string;
  /**
   * The device (installation) id, equal to the config's `deviceId`. Left out, the token
   * still reads and writes the tenant's data, but the cloud refuses it every
   * installation-bound write (a chain link, a key, a licence seat).
   */
  readonly device?: string;
  /** Default `store`; `master` adds `eq_role: 'master'`. */
  readonly role?: 'store' | 'master';
}

/**
 * The claims of a device token, as a real project provisions a till (an auth user per
 * device whose `app_metadata` the admin API sets): role `authenticated`, and the tenant,
 * the device and its role in `app_metadata`.
 *
 * @example
 * const token = await cloud.mintToken(deviceClaims({ tenant: 'store-1', device: 'till-1' }));
 * // { role: 'authenticated', app_metadata: { tenant_id: 'store-1', device_id: 'till-1' } }
 */
export function deviceClaims(identity: DeviceIdentity): TokenClaims {
  return {
    role: 'authenticated',
    app_metadata: {
      tenant_id: identity.tenant,
      ...(identity.device === undefined ? {} : { device_id: identity.device }),
      ...(identity.role === 'master' ? { eq_role: 'master' } : {}),
    },
  };
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
 * const device = await tokens.mint(deviceClaims({ tenant: 'store-1', device: 'till-1' }));
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
