import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * An installation's Ed25519 key pair. The public key is the raw 32 bytes in base64 (44
 * characters, short enough for a column); the private key is PKCS#8 PEM and never
 * leaves the device.
 *
 * @example
 * const keys: InstallationKeyPair = generateInstallationKeyPair();
 */
export interface InstallationKeyPair {
  readonly publicKey: string;
  readonly privateKey: string;
}

const RAW_PUBLIC_KEY = /^[A-Za-z0-9+/]{43}=$/;

/**
 * A new Ed25519 key pair for one installation (one device's chain).
 *
 * @example
 * const { publicKey, privateKey } = generateInstallationKeyPair();
 * publicKey.length; // 44
 */
export function generateInstallationKeyPair(): InstallationKeyPair {
  const pair = generateKeyPairSync('ed25519');
  return {
    publicKey: rawPublicKey(pair.publicKey),
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * Whether `value` is a public key as {@link generateInstallationKeyPair} writes it.
 *
 * @example
 * isPublicKey(generateInstallationKeyPair().publicKey); // true
 * isPublicKey('not a key'); // false
 */
export function isPublicKey(value: unknown): value is string {
  return typeof value === 'string' && RAW_PUBLIC_KEY.test(value) && Buffer.from(value, 'base64').toString('base64') === value;
}

/**
 * The Node key object of a raw base64 public key.
 *
 * @example
 * const key = publicKeyObject(keys.publicKey);
 */
export function publicKeyObject(publicKey: string): KeyObject {
  return remembered(publicKey, () => {
    if (!isPublicKey(publicKey)) throw new TypeError('an Ed25519 public key must be 32 bytes in base64');
    const x = Buffer.from(publicKey, 'base64').toString('base64url');
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  });
}

/**
 * The Node key object of a PKCS#8 PEM private key, checked to be Ed25519.
 *
 * @example
 * const key = privateKeyObject(keys.privateKey);
 */
export function privateKeyObject(privateKey: string): KeyObject {
  return remembered(privateKey, () => {
    const key = createPrivateKey(privateKey);
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`expected an Ed25519 private key, got ${key.asymmetricKeyType}`);
    return key;
  });
}

// Parsing a key costs more than the signature it makes (a PEM parse is ~0.5 ms): the
// few keys in use are kept, by their text, which fully determines them.
const KEPT_KEYS = 64;
const keyObjects = new Map<string, KeyObject>();

function remembered(text: string, parse: () => KeyObject): KeyObject {
  let key = keyObjects.get(text);
  if (key === undefined) {
    key = parse();
    if (keyObjects.size >= KEPT_KEYS) keyObjects.delete(keyObjects.keys().next().value as string);
    keyObjects.set(text, key);
  }
  return key;
}

/**
 * The key pair of a stored PKCS#8 PEM private key: its public key is derived from it, so
 * only the private key needs storing.
 *
 * @example
 * const keys = installationKeyPair(readFileSync(keyFile, 'utf8'));
 */
export function installationKeyPair(privateKey: string): InstallationKeyPair {
  return { publicKey: rawPublicKey(createPublicKey(privateKeyObject(privateKey))), privateKey };
}

function rawPublicKey(key: KeyObject): string {
  const { x } = key.export({ format: 'jwk' });
  if (x === undefined) throw new TypeError('an Ed25519 public key exports its x coordinate');
  return Buffer.from(x, 'base64url').toString('base64');
}
