import type { z } from 'zod';

/**
 * Where a zod issue points and what it says, as declaration problems need it: an unknown
 * key is named by its own path (not reported as a type error of its parent), one entry a
 * key, and a bad record key (a column name) gives its own message rather than its wrapper's.
 *
 * @example
 * issueLocations(issue); // [{ path: ['contributes', 'commands'], message: 'unknown key "commands"' }]
 */
export function issueLocations(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string }[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...issue.path, key], message: `unknown key "${key}"` }));
  const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return [{ path: [...issue.path], message }];
}

/**
 * A field path as problems print it: `columns.name.type`, `indexes[0].columns`.
 *
 * @example
 * formatPath(['indexes', 0, 'columns']); // 'indexes[0].columns'
 */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}
