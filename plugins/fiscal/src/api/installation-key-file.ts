import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateInstallationKeyPair, installationKeyPair, type InstallationKeyPair } from '../chain/installation-keys.js';

/** The private key's file name in the plugin's storage folder. */
export const INSTALLATION_KEY_FILE = 'installation-key.pem';

/**
 * The installation's Ed25519 key pair, kept as one PKCS#8 PEM file (mode 0600) in the
 * plugin's private storage folder, which never syncs. The public key is derived from
 * it. Created on the first invoice, never replaced: a chain signed by one key cannot be
 * continued with another.
 *
 * @example
 * const file = new InstallationKeyFile(context.storageDir);
 * const keys = file.readOrCreate();
 */
export class InstallationKeyFile {
  readonly path: string;
  private keys: InstallationKeyPair | undefined;

  constructor(dir: string) {
    this.path = join(dir, INSTALLATION_KEY_FILE);
  }

  /** The stored key pair, or undefined when there is none yet. */
  read(): InstallationKeyPair | undefined {
    if (this.keys !== undefined) return this.keys;
    let pem: string;
    try {
      pem = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    // A copied or restored file may have lost its mode: only the owner may read a private key.
    if ((statSync(this.path).mode & 0o077) !== 0) chmodSync(this.path, 0o600);
    this.keys = installationKeyPair(pem);
    return this.keys;
  }

  /** The stored key pair, made and stored first when there is none. */
  readOrCreate(): InstallationKeyPair {
    const stored = this.read();
    if (stored !== undefined) return stored;
    const keys = generateInstallationKeyPair();
    try {
      // `wx`: when two processes race, the first file wins and the other reads it.
      writeFileSync(this.path, keys.privateKey, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return this.read() as InstallationKeyPair;
      throw error;
    }
    this.keys = keys;
    return keys;
  }
}
