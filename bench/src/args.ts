/** The cases `npm run bench` knows, in the order they run. */
export const CASE_NAMES = ['detect', 'upload', 'pull', 'noop', 'scale', 'master', 'live', 'fleet'] as const;
export type CaseName = (typeof CASE_NAMES)[number];

/** What the command line asked for. */
export interface BenchArgs {
  /** Rows per case (the scale case and the 1M no-op always use {@link BenchArgs.scaleRows}). */
  readonly n: number;
  /** Rows of the scale case and of the large no-op run. */
  readonly scaleRows: number;
  /** Timed repetitions per variant, after one warm-up. */
  readonly reps: number;
  readonly only: readonly CaseName[];
  /** Where the JSON goes. */
  readonly out: string;
  readonly fleet: FleetArgs;
}

/** The fleet case's size (see bench/README.md, The fleet case). */
export interface FleetArgs {
  /** Simulated devices, each a real SQLite file and a real host (fiscal and inventory plugins). */
  readonly devices: number;
  /** Tenants the devices are spread over, evenly. */
  readonly tenants: number;
  /** Worker processes holding the devices. */
  readonly workers: number;
  /** Requests in flight in the no-op and raw-GET phases, over all workers. */
  readonly concurrency: number;
  /** Devices writing and syncing at once in the mixed workload. */
  readonly mixedDevices: number;
  /** Seconds of each timed phase (no-op, raw GETs, mixed). */
  readonly seconds: number;
  /** Seconds of the open-loop latency phase (sales arriving at a shop's rate). */
  readonly latencySeconds: number;
  /** Mean seconds between one till's sales in the open loop (Poisson arrivals). */
  readonly saleSeconds: number;
  /** Tills of the initial-sync tenant, and invoices each has issued. */
  readonly tills: number;
  readonly invoices: number;
  /** How long tenant A holds its write transaction open, in seconds. */
  readonly holdSeconds: number;
}

const USAGE = `usage: npm run bench -- [--n 20000] [--only detect,upload,pull,noop,scale,master,live,fleet] [--reps 3] [--scale-rows 1000000] [--out bench/results/latest.json]
       fleet: [--fleet-devices 1000] [--fleet-tenants 100] [--fleet-workers 2] [--fleet-concurrency 32] [--fleet-mixed-devices 100]
              [--fleet-seconds 6] [--fleet-latency-seconds 60] [--fleet-sale-seconds 5] [--fleet-tills 20] [--fleet-invoices 5000] [--fleet-hold-seconds 10]`;

/**
 * Reads `--flag value` and `--flag=value` pairs; anything unknown or malformed is an error
 * that names it, with the usage line.
 *
 * @example
 * parseArgs(['--n', '5000', '--only', 'detect,pull']);
 */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') throw new UsageError(USAGE);
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (match === null) throw new UsageError(`unexpected argument "${arg}"\n${USAGE}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${match[1]} needs a value\n${USAGE}`);
    values.set(match[1] as string, value);
  }
  const known = new Set(['n', 'only', 'reps', 'scale-rows', 'out', ...FLEET_FLAGS]);
  for (const key of values.keys()) if (!known.has(key)) throw new UsageError(`unknown flag --${key}\n${USAGE}`);
  const only = values.has('only')
    ? (values.get('only') as string).split(',').map((name) => name.trim()).filter((name) => name !== '')
    : [...CASE_NAMES];
  for (const name of only) {
    if (!(CASE_NAMES as readonly string[]).includes(name)) throw new UsageError(`unknown case "${name}"; cases: ${CASE_NAMES.join(', ')}`);
  }
  return {
    n: positive(values, 'n', 20_000),
    scaleRows: positive(values, 'scale-rows', 1_000_000),
    reps: Math.max(3, positive(values, 'reps', 5)),
    only: CASE_NAMES.filter((name) => only.includes(name)),
    out: values.get('out') ?? 'bench/results/latest.json',
    fleet: fleetArgs(values),
  };
}

const FLEET_FLAGS = ['fleet-devices', 'fleet-tenants', 'fleet-workers', 'fleet-concurrency', 'fleet-mixed-devices', 'fleet-seconds', 'fleet-latency-seconds', 'fleet-sale-seconds', 'fleet-tills', 'fleet-invoices', 'fleet-hold-seconds'];

function fleetArgs(values: ReadonlyMap<string, string>): FleetArgs {
  const devices = positive(values, 'fleet-devices', 1000);
  const tenants = positive(values, 'fleet-tenants', 100);
  if (tenants > devices) throw new UsageError(`--fleet-tenants (${tenants}) must not exceed --fleet-devices (${devices})`);
  const mixedDevices = positive(values, 'fleet-mixed-devices', Math.min(100, devices));
  if (mixedDevices > devices) throw new UsageError(`--fleet-mixed-devices (${mixedDevices}) must not exceed --fleet-devices (${devices})`);
  return {
    devices,
    tenants,
    workers: Math.min(devices, positive(values, 'fleet-workers', 2)),
    concurrency: positive(values, 'fleet-concurrency', 32),
    mixedDevices,
    seconds: positive(values, 'fleet-seconds', 6),
    latencySeconds: positive(values, 'fleet-latency-seconds', 60),
    saleSeconds: positive(values, 'fleet-sale-seconds', 5),
    tills: positive(values, 'fleet-tills', 20),
    invoices: positive(values, 'fleet-invoices', 5000),
    holdSeconds: positive(values, 'fleet-hold-seconds', 10),
  };
}

function positive(values: ReadonlyMap<string, string>, key: string, fallback: number): number {
  const text = values.get(key);
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`--${key} must be a positive integer, got "${text}"`);
  return value;
}

/** A bad command line: printed without a stack. */
export class UsageError extends Error {}
