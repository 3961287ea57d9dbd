import { z } from 'zod';
import { DeclarationError, type DeclarationProblem } from './declaration-error.js';
import { pluginDeclarationSchema } from './declaration-schema.js';
import { definePlugin } from './define-plugin.js';
import type { PluginDefinition } from './plugin-declaration.js';
import { formatPath, issueLocations } from './schema-issues.js';

/**
 * When the host activates a plugin: `onStartup` while the host starts, before the first
 * sync; `onCommand:<id>` when the host is opened for that command, its id written as it
 * is typed, words separated by spaces (`onCommand:clients list`; oclif's
 * `onCommand:clients:list` means the same). A plugin not activated still has its tables
 * opened and synced; its hooks and API exist only once it is active.
 *
 * @example
 * const events: ActivationEvent[] = ['onStartup', 'onCommand:clients list'];
 */
export type ActivationEvent = 'onStartup' | `onCommand:${string}`;

/**
 * The forms of {@link ActivationEvent}, as a refused manifest names them.
 *
 * @example
 * `must be one of ${ACTIVATION_EVENTS.join(', ')}`; // must be one of onStartup, onCommand:<command id>
 */
export const ACTIVATION_EVENTS: readonly ActivationEvent[] = ['onStartup', 'onCommand:<command id>'];

/** `onStartup`, or `onCommand:` and a command id: words of letters, digits, `-` or `_`, separated by one space or colon. */
const ACTIVATION_EVENT = /^(?:onStartup|onCommand:[A-Za-z0-9][\w-]*(?:[ :][A-Za-z0-9][\w-]*)*)$/;
const ACTIVATION_EVENT_PROBLEM = `must be one of ${ACTIVATION_EVENTS.join(', ')}`;

/**
 * A plugin package's manifest, read from its `package.json` (`name`, `version`, `main`
 * and the `equinox` field) and validated; `definition` is its tables as `definePlugin`
 * returns them.
 *
 * @example
 * const manifest = parsePluginManifest(JSON.parse(readFileSync('package.json', 'utf8')));
 * manifest.engines.equinox; // '^0.1.0'
 */
export interface PluginManifest {
  readonly name: string;
  readonly version: string;
  /** The module exporting `activate`, relative to the package; absent for a plugin that only declares tables. */
  readonly main: string | undefined;
  /** The human name: the `equinox` field's `displayName`, else the package's own (where VS Code keeps it). */
  readonly displayName: string | undefined;
  /** The host versions the plugin works with, as a semver range. */
  readonly engines: { readonly equinox: string };
  readonly activationEvents: readonly ActivationEvent[];
  readonly definition: PluginDefinition;
}

/**
 * Options of {@link parsePluginManifest} and {@link pluginFromPackageJson}.
 *
 * @example
 * pluginFromPackageJson(pkg, { source: 'plugins/clients/package.json', serverSql: CLIENTS_SQL });
 */
export interface PluginManifestOptions {
  /** Where the package.json was read, named at the start of every error line. */
  readonly source?: string;
  /** The plugin's cloud SQL: code, so it cannot be in the manifest (see `PluginDeclaration.serverSql`). */
  readonly serverSql?: string;
}

/**
 * A refused manifest: a {@link DeclarationError} whose lines also name the package.json.
 *
 * @example
 * catch (e) { if (e instanceof PluginManifestError) console.error(e.source, e.problems); }
 */
export class PluginManifestError extends DeclarationError {
  constructor(
    problems: readonly DeclarationProblem[],
    readonly source: string | undefined,
  ) {
    super(problems);
    if (source !== undefined) this.message = this.message.split('\n').map((line) => `${source}: ${line}`).join('\n');
  }
}

const required = (expected: string) => (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : `must be ${expected}`);

const manifestSchema = z.strictObject(
  {
    displayName: z.string({ error: required('text') }).min(1, 'must not be empty').optional(),
    engines: z.object(
      { equinox: z.string({ error: required('a semver range such as "^0.1.0"') }).min(1, 'must not be empty') },
      { error: required('an object such as { "equinox": "^0.1.0" }') },
    ),
    activationEvents: z
      .array(z.string({ error: ACTIVATION_EVENT_PROBLEM }).regex(ACTIVATION_EVENT, { error: ACTIVATION_EVENT_PROBLEM }), {
        error: required('a list such as ["onStartup"]'),
      })
      .optional(),
    contributes: z
      .strictObject(
        {
          tables: z.array(z.unknown(), { error: required('a list of table declarations') }).optional(),
          localTables: z.array(z.unknown(), { error: required('a list of local table declarations') }).optional(),
          views: z.array(z.unknown(), { error: required('a list of view declarations') }).optional(),
        },
        { error: required('an object') },
      )
      .optional(),
  },
  { error: (issue) => (issue.input === undefined ? 'is required: this package is not an equinox plugin' : 'must be an object') },
);

const packageSchema = z.object({
  name: z.string({ error: required('an npm package name') }).pipe(pluginDeclarationSchema.shape.name),
  version: z.string({ error: required('a version such as "1.0.0"') }).min(1, 'must not be empty'),
  main: z.string({ error: required('a module path') }).min(1, 'must not be empty').optional(),
  displayName: z.string({ error: required('text') }).min(1, 'must not be empty').optional(),
  equinox: manifestSchema,
});

/**
 * Reads a plugin package's manifest (VS Code style: the `equinox` field of its
 * package.json) and validates all of it, the tables included, before any of its code
 * runs. Throws one {@link PluginManifestError} listing every problem, each naming the
 * plugin, the table where there is one, and the field.
 *
 * @example
 * // package.json: { "name": "@acme/clients", "version": "1.0.0", "main": "index.js",
 * //   "equinox": { "engines": { "equinox": "^0.1.0" }, "activationEvents": ["onStartup"],
 * //     "contributes": { "tables": [{ "name": "clients", "columns": { "name": { "type": "text" } }, "strategy": "Manual" }] } } }
 * const manifest = parsePluginManifest(pkg, { source: '/apps/till/plugins/clients/package.json' });
 */
export function parsePluginManifest(pkg: unknown, options: PluginManifestOptions = {}): PluginManifest {
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) {
    throw new PluginManifestError([{ plugin: '(unnamed)', table: undefined, field: '(root)', message: 'package.json must hold a JSON object' }], options.source);
  }
  const raw = pkg as Record<string, unknown>;
  const plugin = typeof raw.name === 'string' && raw.name !== '' ? raw.name : '(unnamed)';
  const parsed = packageSchema.safeParse(raw);
  const problems: DeclarationProblem[] = parsed.success
    ? []
    : parsed.error.issues.flatMap((issue) => issueLocations(issue).map(({ path, message }) => ({ plugin, table: undefined, field: formatPath(path) || '(root)', message })));
  const contributes = (raw.equinox as { contributes?: Record<string, unknown> } | undefined)?.contributes;
  const list = (key: string): unknown[] | undefined => (Array.isArray(contributes?.[key]) ? (contributes[key] as unknown[]) : undefined);
  const declared = { name: parsed.success ? parsed.data.name : 'plugin', version: parsed.success ? parsed.data.version : '0' };
  const contributed = { tables: list('tables') ?? [], localTables: list('localTables'), views: list('views') };
  const definition = tableDefinition(plugin, declared, contributed, options.serverSql, problems);
  if (!parsed.success || definition === undefined) throw new PluginManifestError(problems, options.source);
  const { name, version, main, displayName, equinox } = parsed.data;
  return Object.freeze({
    name,
    version,
    main,
    displayName: equinox.displayName ?? displayName,
    engines: Object.freeze({ equinox: equinox.engines.equinox }),
    activationEvents: Object.freeze((equinox.activationEvents ?? ['onStartup']) as ActivationEvent[]),
    definition,
  });
}

/**
 * The {@link PluginDefinition} a plugin package declares in its package.json, so a
 * plugin can export its definition without repeating its tables in code.
 *
 * @example
 * import { createRequire } from 'node:module';
 * export const clientsPlugin = pluginFromPackageJson(createRequire(import.meta.url)('../package.json'));
 */
export function pluginFromPackageJson(pkg: unknown, options: PluginManifestOptions = {}): PluginDefinition {
  return parsePluginManifest(pkg, options).definition;
}

/** The tables, local tables and views validated by `definePlugin`, their problems added to `problems` (the package's own fields are checked by the schema). */
function tableDefinition(
  plugin: string,
  declared: { name: string; version: string },
  contributed: { tables: readonly unknown[]; localTables: readonly unknown[] | undefined; views: readonly unknown[] | undefined },
  serverSql: string | undefined,
  problems: DeclarationProblem[],
): PluginDefinition | undefined {
  try {
    // When the package's name or version is bad (already reported), stand-ins let the tables be checked too.
    const { tables, localTables, views } = contributed as { tables: never; localTables: never; views: never };
    return definePlugin({ ...declared, tables, localTables, views, ...(serverSql === undefined ? {} : { serverSql }) });
  } catch (error) {
    if (!(error instanceof DeclarationError)) throw error;
    problems.push(...error.problems.map((problem) => ({ ...problem, plugin })));
    return undefined;
  }
}
