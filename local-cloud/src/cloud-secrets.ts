import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from './private-files.js';

/** Secrets a local cloud keeps for its life (and across restarts on a kept data dir). */
export interface CloudSecrets {
  readonly jwtSecret: string;
  /** Password of the `postgres` superuser (bootstrap only). */
  readonly postgresPassword: string;
  readonly authenticatorPassword: string;
  /** Password of the owner role that migrations run as (added after the first versions). */
  readonly ownerPassword: string;
  /** Port of the last run's URL, reused by the next start so devices keep their config. */
  readonly port?: number;
}

const FILE = 'secrets.json';

/**
 * Reads the secrets of a data dir, or makes new random ones and stores them (mode 0600)
 * so a restarted cloud keeps its keys and tokens valid. A file written by an older
 * version gets the secrets it lacks, and keeps the ones it has.
 *
 * @example
 * const { jwtSecret } = loadOrCreateSecrets('/var/lib/equinox-cloud');
 */
export function loadOrCreateSecrets(dataDir: string): CloudSecrets {
  const file = join(dataDir, FILE);
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<CloudSecrets>) : {};
  const secrets: CloudSecrets = {
    ...stored,
    jwtSecret: stored.jwtSecret ?? randomBytes(32).toString('base64url'),
    postgresPassword: stored.postgresPassword ?? randomBytes(18).toString('base64url'),
    authenticatorPassword: stored.authenticatorPassword ?? randomBytes(18).toString('base64url'),
    ownerPassword: stored.ownerPassword ?? randomBytes(18).toString('base64url'),
  };
  if (Object.keys(secrets).some((key) => !(key in stored))) writeSecrets(dataDir, secrets);
  return secrets;
}

/**
 * Records the port a cloud on `dataDir` listens on, so its next start offers the same URL.
 *
 * @example
 * rememberPort(dataDir, gateway.port);
 */
export function rememberPort(dataDir: string, port: number): void {
  const secrets = loadOrCreateSecrets(dataDir);
  if (secrets.port !== port) writeSecrets(dataDir, { ...secrets, port });
}

function writeSecrets(dataDir: string, secrets: CloudSecrets): void {
  writePrivateFile(join(dataDir, FILE), `${JSON.stringify(secrets, null, 2)}\n`);
}
