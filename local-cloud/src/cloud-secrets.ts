import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Secrets a local cloud keeps for its life (and across restarts on a kept data dir). */
export interface CloudSecrets {
  readonly jwtSecret: string;
  readonly postgresPassword: string;
  readonly authenticatorPassword: string;
}

const FILE = 'secrets.json';

/**
 * Reads the secrets of a data dir, or makes new random ones and stores them (mode 0600)
 * so a restarted cloud keeps its keys and tokens valid.
 *
 * @example
 * const { jwtSecret } = loadOrCreateSecrets('/var/lib/equinox-cloud');
 */
export function loadOrCreateSecrets(dataDir: string): CloudSecrets {
  const file = join(dataDir, FILE);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as CloudSecrets;
  const secrets: CloudSecrets = {
    jwtSecret: randomBytes(32).toString('base64url'),
    postgresPassword: randomBytes(18).toString('base64url'),
    authenticatorPassword: randomBytes(18).toString('base64url'),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
