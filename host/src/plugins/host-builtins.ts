import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The host's built-in plugins, by their `builtins` config key: host/package.json
 * `equinox.builtins` (`{ "<key>": "<package name>" }`). Read from the file so the host's
 * code names no plugin; they are found from the host's folder like any plugin.
 *
 * @example
 * Object.keys(HOST_BUILTINS); // the keys a config's `builtins` may switch off
 */
export const HOST_BUILTINS: Readonly<Record<string, string>> = Object.freeze(readBuiltins());

/**
 * The package names of the built-ins `switches` leaves on (a key left out is on), in
 * host/package.json order.
 *
 * @example
 * enabledBuiltins({ audit: false }); // every built-in's package name but the one keyed `audit`
 */
export function enabledBuiltins(switches: Readonly<Record<string, boolean>> = {}): string[] {
  return Object.entries(HOST_BUILTINS)
    .filter(([key]) => switches[key] !== false)
    .map(([, name]) => name);
}

function readBuiltins(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { equinox?: { builtins?: unknown } };
  const builtins = pkg.equinox?.builtins;
  if (typeof builtins !== 'object' || builtins === null) return {};
  return Object.fromEntries(Object.entries(builtins).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
