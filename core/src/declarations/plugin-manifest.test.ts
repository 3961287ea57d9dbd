import { describe, expect, it } from 'vitest';
import { DeclarationError } from './declaration-error.js';
import { definePlugin } from './define-plugin.js';
import { parsePluginManifest, PluginManifestError, pluginFromPackageJson } from './plugin-manifest.js';

const clientsTable = {
  name: 'clients',
  columns: { name: { type: 'text', nullable: false }, email: { type: 'text' } },
  indexes: [{ columns: ['email'], unique: true }],
  strategy: 'Manual',
};

function pkg(equinox: Record<string, unknown> = {}, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: '@acme/equinox-clients',
    version: '1.2.0',
    main: 'index.js',
    equinox: { engines: { equinox: '^0.1.0' }, contributes: { tables: [clientsTable] }, ...equinox },
    ...fields,
  };
}

function problemsOf(value: unknown, source?: string): { fields: string[]; error: PluginManifestError } {
  try {
    parsePluginManifest(value, { source });
  } catch (error) {
    expect(error).toBeInstanceOf(PluginManifestError);
    expect(error).toBeInstanceOf(DeclarationError);
    const manifestError = error as PluginManifestError;
    return { fields: manifestError.problems.map((p) => (p.table ? `${p.table}:${p.field}` : p.field)), error: manifestError };
  }
  throw new Error('expected a PluginManifestError');
}

describe('parsePluginManifest', () => {
  it('reads the manifest and derives the same definition definePlugin makes', () => {
    const manifest = parsePluginManifest(pkg({ displayName: 'Clients' }));
    expect(manifest).toMatchObject({
      name: '@acme/equinox-clients',
      version: '1.2.0',
      main: 'index.js',
      displayName: 'Clients',
      engines: { equinox: '^0.1.0' },
      activationEvents: ['onStartup'],
    });
    const declared = definePlugin({ name: '@acme/equinox-clients', version: '1.2.0', tables: [clientsTable as never] });
    expect(manifest.definition).toEqual(declared);
    expect(manifest.definition.tables[0]?.plugin).toBe('@acme/equinox-clients');
  });

  it('takes displayName from the package.json top level (VS Code style) when the equinox field has none', () => {
    expect(parsePluginManifest(pkg({}, { displayName: 'Acme clients' })).displayName).toBe('Acme clients');
    expect(parsePluginManifest(pkg({ displayName: 'Clients' }, { displayName: 'Acme clients' })).displayName).toBe('Clients');
    expect(parsePluginManifest(pkg()).displayName).toBeUndefined();
  });

  it('accepts a plugin without code or tables', () => {
    const manifest = parsePluginManifest(pkg({ contributes: undefined }, { main: undefined }));
    expect(manifest.main).toBeUndefined();
    expect(manifest.definition.tables).toEqual([]);
  });

  it('refuses a package without the equinox field, naming the plugin and the field', () => {
    const { fields, error } = problemsOf(pkg({}, { equinox: undefined }), 'node_modules/@acme/equinox-clients/package.json');
    expect(fields).toEqual(['equinox']);
    expect(error.source).toBe('node_modules/@acme/equinox-clients/package.json');
    expect(error.message).toBe(
      'node_modules/@acme/equinox-clients/package.json: plugin "@acme/equinox-clients", field "equinox": is required: this package is not an equinox plugin',
    );
  });

  it('refuses a missing or malformed engines.equinox', () => {
    expect(problemsOf(pkg({ engines: undefined })).error.message).toBe('plugin "@acme/equinox-clients", field "equinox.engines": is required');
    expect(problemsOf(pkg({ engines: { equinox: 1 } })).error.message).toBe(
      'plugin "@acme/equinox-clients", field "equinox.engines.equinox": must be a semver range such as "^0.1.0"',
    );
  });

  it('takes onStartup and onCommand:<command id>, refuses another activation event and an unknown manifest key', () => {
    const events = ['onStartup', 'onCommand:clients list', 'onCommand:clients:add', 'onCommand:sync'];
    expect(parsePluginManifest(pkg({ activationEvents: events })).activationEvents).toEqual(events);
    expect(problemsOf(pkg({ activationEvents: ['onView:x', 'onCommand:', 'onCommand:clients  list', 7] })).error.problems).toEqual(
      [0, 1, 2, 3].map((index) => ({
        plugin: '@acme/equinox-clients',
        table: undefined,
        field: `equinox.activationEvents[${index}]`,
        message: 'must be one of onStartup, onCommand:<command id>',
      })),
    );
    expect(problemsOf(pkg({ contribute: {} })).error.problems).toEqual([
      { plugin: '@acme/equinox-clients', table: undefined, field: 'equinox.contribute', message: 'unknown key "contribute"' },
    ]);
  });

  it('names an unknown contribution by its path, not as a type error of contributes', () => {
    const { error } = problemsOf(pkg({ contributes: { tables: [clientsTable], commands: [{ command: 'clients.list' }] } }));
    expect(error.message).toBe('plugin "@acme/equinox-clients", field "equinox.contributes.commands": unknown key "commands"');
  });

  it('reports every problem of a manifest with several faults in one pass', () => {
    const bad = {
      ...clientsTable,
      strategy: 'ServerWins',
      indexes: [{ columns: ['phone'] }],
      columns: { ...clientsTable.columns, visits: { type: 'integer', default: 'many' } },
      sync: true,
    };
    const { error } = problemsOf(pkg({ engines: undefined, contributes: { tables: [bad], commands: [] } }));
    expect(error.problems).toEqual([
      { plugin: '@acme/equinox-clients', table: undefined, field: 'equinox.engines', message: 'is required' },
      { plugin: '@acme/equinox-clients', table: undefined, field: 'equinox.contributes.commands', message: 'unknown key "commands"' },
      { plugin: '@acme/equinox-clients', table: 'clients', field: 'strategy', message: 'must be one of LocalWins, RemoteWins, LastWriteWins, Manual' },
      { plugin: '@acme/equinox-clients', table: 'clients', field: 'sync', message: 'unknown key "sync"' },
      { plugin: '@acme/equinox-clients', table: 'clients', field: 'indexes[0].columns', message: 'unknown column "phone"' },
      { plugin: '@acme/equinox-clients', table: 'clients', field: 'columns.visits.default', message: 'must be an integer' },
    ]);
  });

  it('refuses a bad table, naming the table and the field', () => {
    const bad = { ...clientsTable, columns: { ...clientsTable.columns, name: { type: 'varchar' } } };
    const { error } = problemsOf(pkg({ contributes: { tables: [bad] } }));
    expect(error.message).toBe('plugin "@acme/equinox-clients" table "clients", field "columns.name.type": must be one of text, integer, real, boolean, json, timestamp');
  });

  it('lists the package problems and the table problems at once', () => {
    const bad = { ...clientsTable, strategy: 'ServerWins' };
    const { fields, error } = problemsOf(pkg({ contributes: { tables: [bad] }, engines: {} }, { version: '', name: 'Bad Name' }));
    expect(fields).toEqual(['name', 'version', 'equinox.engines.equinox', 'clients:strategy']);
    expect(error.problems.every((problem) => problem.plugin === 'Bad Name')).toBe(true);
  });

  it('refuses contributes.tables that is not a list', () => {
    expect(problemsOf(pkg({ contributes: { tables: { clients: clientsTable } } })).fields).toEqual(['equinox.contributes.tables']);
  });

  it('refuses what is not a package.json object', () => {
    expect(problemsOf([]).error.message).toBe('plugin "(unnamed)", field "(root)": package.json must hold a JSON object');
  });
});

describe('pluginFromPackageJson', () => {
  it('returns the definition, with the server SQL given in code', () => {
    const plugin = pluginFromPackageJson(pkg(), { serverSql: 'create view public.client_names as select name from public.clients;' });
    expect(plugin.name).toBe('@acme/equinox-clients');
    expect(plugin.serverSql).toMatch(/client_names/);
    expect(Object.isFrozen(plugin)).toBe(true);
  });
});
