import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lchownSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { reachableByOthers } from './reachable.js';
import { writePrivateFile } from './private-files.js';

/**
 * Where a data dir's Postgres cluster lives, and what the caller should be told about it.
 *
 * @example
 * const location: ClusterLocation = clusterLocation(dataDir, false);
 * for (const warning of location.warnings) console.warn(warning);
 */
export interface ClusterLocation {
  /** The cluster's own directory (Postgres' data directory). */
  readonly dir: string;
  /** The folder to remove with a temporary cloud when it is outside the data dir. */
  readonly outside?: string;
  /** Things the user should know: a cluster that moved, or one that is gone. */
  readonly warnings: readonly string[];
}

const LOCATION_FILE = 'postgres-location.txt';

/**
 * Where the cluster of `dataDir` lives, and how open the data dir must be for it.
 * Postgres runs as us unless we are root: then the cluster is `<dataDir>/pg`. As root it
 * runs as the `postgres` user, which must be able to walk down to its cluster. When the
 * folders above the data dir let others through, the data dir gets 0711: others may pass
 * through to `pg/` (itself 0700, the postgres user's) but cannot list or read anything
 * else. Otherwise (e.g. under /root) a kept data dir's cluster goes to a persistent folder
 * of its own, named after the data dir (`/var/lib/equinox-sync/<hash>`, or under
 * `$EQUINOX_CLUSTER_ROOT`), never the temp dir: a reboot or a tmp cleaner must not take the database. A cluster an older version
 * left in the temp dir is moved there; one a deleted data dir of the same path left there
 * is moved aside. A temporary cloud's may stay in the temp dir.
 *
 * @example
 * const { dir, warnings } = clusterLocation(dataDir, false);
 */
export function clusterLocation(dataDir: string, temporary: boolean): ClusterLocation {
  const inside = join(dataDir, 'pg');
  if (process.getuid?.() !== 0) return { dir: inside, warnings: lostWarning(dataDir, inside) };
  if (reachableByOthers(dirname(dataDir))) {
    chmodSync(dataDir, 0o711);
    return { dir: inside, warnings: lostWarning(dataDir, inside) };
  }
  const previous = recordedClusterFolder(dataDir);
  const name = `equinox-pg-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16)}`;
  const outside = join(temporary ? tmpdir() : persistentRoot(), name);
  const warnings = temporary ? [] : [...moveFromOlderLocation(previous, outside), ...setAsideOrphan(previous, outside)];
  mkdirSync(outside, { recursive: true, mode: 0o755 });
  chmodSync(outside, 0o755);
  writePrivateFile(join(dataDir, LOCATION_FILE), `${outside}\n`);
  const dir = join(outside, 'pg');
  return { dir, outside, warnings: [...warnings, ...lostWarning(dataDir, dir, previous !== undefined)] };
}

/**
 * The folder named by `postgres-location.txt`, if the data dir has one.
 *
 * @example
 * const outside = recordedClusterFolder(dataDir); // e.g. /var/lib/equinox-sync/equinox-pg-…
 */
export function recordedClusterFolder(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, LOCATION_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Names the folder for clusters kept outside their data dirs instead of
 * `/var/lib/equinox-sync`; the test setup points it at a temp folder it removes.
 *
 * @example
 * process.env[CLUSTER_ROOT_ENV] = '/srv/equinox-clusters';
 */
export const CLUSTER_ROOT_ENV = 'EQUINOX_CLUSTER_ROOT';

/** A system-wide folder the postgres user can reach (root only gets here). */
function persistentRoot(): string {
  const configured = process.env[CLUSTER_ROOT_ENV];
  const candidates = configured ? [resolve(configured)] : ['/var/lib/equinox-sync', join(homedir(), '.local', 'share', 'equinox-sync')];
  for (const candidate of candidates) {
    if (!existsSync(dirname(candidate)) || !reachableByOthers(dirname(candidate))) continue;
    mkdirSync(candidate, { recursive: true, mode: 0o755 });
    chmodSync(candidate, 0o755);
    return candidate;
  }
  throw new Error(`no persistent folder the postgres user can reach for the cluster (tried ${candidates.join(', ')}); put the data dir where others may pass through, e.g. under /srv`);
}

/** Moves a cluster an older version kept under the temp dir to its persistent folder. */
function moveFromOlderLocation(previous: string | undefined, target: string): string[] {
  if (previous === undefined || resolve(previous) === resolve(target)) return [];
  if (!existsSync(join(previous, 'pg', 'PG_VERSION')) || existsSync(join(target, 'pg', 'PG_VERSION'))) return [];
  mkdirSync(dirname(target), { recursive: true });
  try {
    renameSync(previous, target);
  } catch {
    // Another file system (the temp dir is often tmpfs): copy, keeping the postgres user's ownership.
    cpSync(previous, target, { recursive: true, preserveTimestamps: true });
    copyOwnership(previous, target);
    rmSync(previous, { recursive: true, force: true });
  }
  return [`moved the database from ${previous} to ${target}, where a reboot or a tmp cleaner cannot take it`];
}

/**
 * A cluster at this data dir's outside folder that the data dir does not name is an
 * orphan: a data dir of the same path ran here, was deleted (its passwords with it), and
 * this one is new. Its passwords are gone, so it cannot be opened; it is moved aside, not
 * removed — nothing is deleted that someone may still want — and the start says where.
 */
function setAsideOrphan(previous: string | undefined, outside: string): string[] {
  if (previous !== undefined || !existsSync(join(outside, 'pg', 'PG_VERSION'))) return [];
  const aside = `${outside}.orphaned-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(outside, aside);
  return [
    `found a database at ${outside} left by an earlier data dir of this path, deleted since with its passwords: ` +
      `moved it to ${aside} and starting with an empty one (remove that folder once you no longer need it)`,
  ];
}

function copyOwnership(from: string, to: string): void {
  const stat = lstatSync(from);
  lchownSync(to, stat.uid, stat.gid);
  if (stat.isSymbolicLink()) return;
  chmodSync(to, stat.mode & 0o7777);
  if (!stat.isDirectory()) return;
  for (const name of readdirSync(from)) copyOwnership(join(from, name), join(to, name));
}

/**
 * A data dir that ran before (it remembers a port, or where its cluster was) but whose
 * cluster is missing lost its database: the start makes an empty one, and says so.
 */
function lostWarning(dataDir: string, cluster: string, hadLocation = false): string[] {
  if (existsSync(join(cluster, 'PG_VERSION'))) return [];
  const secrets = join(dataDir, 'secrets.json');
  const ranBefore = hadLocation || (existsSync(secrets) && /"port"\s*:/.test(readFileSync(secrets, 'utf8')));
  return ranBefore ? [`the database of this data dir (${cluster}) is gone; starting with an empty one`] : [];
}

/**
 * Removes a stopped cloud's data dir and, when its cluster was kept outside it (as root,
 * under `/var/lib/equinox-sync`), that cluster too: deleting the data dir alone would leave
 * the database behind. For throw-away clouds (the demo); never call it on a running one.
 *
 * @example
 * await cloud.stop();
 * removeCloudData(cloud.dataDir);
 */
export function removeCloudData(dataDir: string): void {
  const outside = recordedClusterFolder(dataDir);
  if (outside !== undefined) rmSync(outside, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}
