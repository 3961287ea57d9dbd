/**
 * Where the one local cloud of a test run is: what the root vitest global setup
 * provides as `inject('cloud')`, and what the test kits of every package take.
 *
 * @example
 * const cloud: TestCloud = inject('cloud');
 * const supabase = createClient(cloud.url, cloud.anonKey);
 */
export interface TestCloud {
  readonly url: string;
  readonly anonKey: string;
  readonly serviceKey: string;
  readonly jwtSecret: string;
  /** The owner role's URL (not a superuser), as `LocalCloud.pgUrl`. */
  readonly pgUrl: string;
  /** The superuser's URL, for tests that need its powers (as `LocalCloud.adminPgUrl`). */
  readonly adminPgUrl: string;
}
