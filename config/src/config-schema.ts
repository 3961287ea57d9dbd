import { z } from 'zod';
import { DEVICE_ID_PATTERN, DEVICE_ID_RULE, TENANT_ID_PATTERN, TENANT_ID_RULE } from './identifiers.js';

const positiveInt = z.number({ error: 'expected a number' }).int('expected a whole number').positive('must be greater than 0');

/** Retry policy for failed uploads: exponential backoff with jitter, capped. */
const retrySchema = z.strictObject({
  baseMs: positiveInt.default(1_000),
  maxMs: positiveInt.default(300_000),
  /** After this many attempts an entry is reported in `status.failed`; it keeps its data and is still retried at `maxMs`. */
  maxAttempts: positiveInt.default(10),
});

const syncSchema = z.strictObject({
  intervalSeconds: positiveInt.default(300),
  batchSize: positiveInt.max(10_000, 'must be at most 10000').default(500),
  retry: retrySchema.prefault({}),
});

const supabaseSchema = z.strictObject({
  url: z.url({ error: 'expected a URL such as https://xyz.supabase.co' }),
  /** The project's anon (publishable) key. A device never needs the service key. */
  key: z.string({ error: 'expected the API key as text' }).min(1, 'must not be empty'),
  /** A user JWT carrying the device's `tenant_id` claim. */
  accessToken: z.string().min(1, 'must not be empty').optional(),
});

/**
 * The host's built-in plugins switched on (`true`) or off (`false`) by their key. A key
 * left out is on; which keys exist is the host's to say (see `LoadConfigOptions.builtins`).
 */
const builtinsSchema = z.record(z.string(), z.boolean({ error: 'expected true or false' }));

/**
 * The one schema of `equinox.config.json`. Defaults are filled in by parsing.
 *
 * @example
 * const config = configSchema.parse({
 *   tenantId: 'store-1', deviceId: 'till-1', dbPath: './till.db',
 *   supabase: { url: 'http://127.0.0.1:54321', key: anonKey, accessToken: token },
 * });
 * config.sync.batchSize; // 500
 */
export const configSchema = z.strictObject({
  tenantId: z.string({ error: 'expected the tenant id as text' }).regex(TENANT_ID_PATTERN, TENANT_ID_RULE),
  deviceId: z.string({ error: 'expected the device id as text' }).regex(DEVICE_ID_PATTERN, DEVICE_ID_RULE),
  dbPath: z.string({ error: 'expected a file path' }).min(1, 'must not be empty'),
  /** `master` marks a head-office device that may read aggregates across tenants. */
  role: z.enum(['store', 'master'], { error: 'must be "store" or "master"' }).default('store'),
  supabase: supabaseSchema,
  sync: syncSchema.prefault({}),
  /** Extra plugins: npm package names or paths (relative to the config file). */
  plugins: z.array(z.string().min(1, 'must not be empty')).default([]),
  builtins: builtinsSchema.default({}),
});

/** A complete, validated configuration. */
export type EquinoxConfig = z.output<typeof configSchema>;

/** A configuration as written in a file: defaults may be left out. */
export type EquinoxConfigInput = z.input<typeof configSchema>;
