import { describeValue, type ConfigProblem } from './config-error.js';

/**
 * The problems of a config's `builtins` whose keys are not among the host's built-ins:
 * one per unknown key, naming it and the keys there are. A value that is not an object
 * is left to the schema.
 *
 * @example
 * unknownBuiltins({ audit: true, clients: false }, ['audit', 'settings'], () => 'equinox.config.json');
 * // [{ key: 'builtins.clients', value: 'false', message: 'unknown built-in "clients"; the built-ins are audit, settings', ... }]
 */
export function unknownBuiltins(builtins: unknown, known: readonly string[], sourceOf: (key: string) => string): ConfigProblem[] {
  if (typeof builtins !== 'object' || builtins === null || Array.isArray(builtins)) return [];
  const there = known.length === 0 ? 'this host has no built-in plugins' : `the built-ins are ${known.join(', ')}`;
  return Object.entries(builtins)
    .filter(([name]) => !known.includes(name))
    .map(([name, value]) => {
      const key = `builtins.${name}`;
      return { source: sourceOf(key), key, value: describeValue(key, value), message: `unknown built-in "${name}"; ${there}` };
    });
}
