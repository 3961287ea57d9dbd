import semver from 'semver';

/**
 * Why a plugin's `engines.equinox` range rules out this host, or `undefined` when the
 * host fits. Pre-releases of the host count as their version.
 *
 * @example
 * engineProblem('^2.0.0', '0.1.0'); // 'requires equinox "^2.0.0" (equinox.engines.equinox), but this host is 0.1.0'
 */
export function engineProblem(range: string, hostVersion: string): string | undefined {
  if (semver.validRange(range) === null) return `equinox.engines.equinox "${range}" is not a semver range`;
  if (semver.satisfies(hostVersion, range, { includePrerelease: true })) return undefined;
  return `requires equinox "${range}" (equinox.engines.equinox), but this host is ${hostVersion}`;
}
