// @ts-check
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pluginFromPackageJson } from '@equinox-sync/core/plugin';
import { emailProblem } from './clients-api.js';

export { ClientsApi } from './clients-api.js';

const manifestPath = fileURLToPath(new URL('./package.json', import.meta.url));

/** The plugin's definition, derived from its manifest: for `compileServerSchema` and tests. */
export const clientsPlugin = pluginFromPackageJson(JSON.parse(readFileSync(manifestPath, 'utf8')), { source: manifestPath });

/**
 * Activated on startup (its hook must hold back a bad email on every sync, whichever
 * command or app opened the host): registers a `validate` hook that holds back a client
 * whose email has no "@" until it is corrected, and returns the plugin's API.
 *
 * @param {import('@equinox-sync/core/plugin').PluginContext} context
 * @returns {import('./clients-api.js').ClientsApi}
 */
export function activate(context) {
  context.subscriptions.push(
    context.hooks.register({
      tables: ['clients'],
      validate: (_table, row) => emailProblem(row.email),
    }),
  );
  context.logger.info('clients plugin active');
  const { store } = context;
  return {
    list: () => store.query('clients').map(toClient).sort((a, b) => a.name.localeCompare(b.name)),
    add(client) {
      const problem = emailProblem(client.email);
      if (problem !== undefined) throw new Error(problem);
      return toClient(store.insert('clients', { name: client.name, tax_id: client.tax_id ?? null, email: client.email ?? null, phone: client.phone ?? null }));
    },
    update(id, patch) {
      const problem = emailProblem(patch.email);
      if (problem !== undefined) throw new Error(problem);
      existing(id);
      // Only the declared fields: anything else in the patch is not the client's to change.
      const changes = Object.fromEntries(FIELDS.filter((field) => patch[field] !== undefined).map((field) => [field, patch[field]]));
      return toClient(store.update('clients', id, changes));
    },
    remove(id) {
      const client = existing(id);
      // A tombstone, held on this device: sync never deletes cloud data without a confirmation.
      store.delete('clients', id);
      return client;
    },
  };

  /**
   * The live client with this id; throws when this device has none.
   *
   * @param {string} id
   * @returns {import('./clients-api.js').Client}
   */
  function existing(id) {
    const row = store.get('clients', id);
    if (row === undefined) throw new Error(`no client ${id} on this device`);
    return toClient(row);
  }
}

/** The fields a patch may change. */
const FIELDS = /** @type {const} */ (['name', 'tax_id', 'email', 'phone']);

export function deactivate() {
  // Nothing to release: everything registered went into context.subscriptions.
}

/**
 * A stored row as the API's client: the declared columns and the id.
 *
 * @param {Record<string, unknown>} row
 * @returns {import('./clients-api.js').Client}
 */
function toClient(row) {
  const text = (/** @type {unknown} */ value) => (typeof value === 'string' ? value : null);
  return { id: String(row.id), name: String(row.name), tax_id: text(row.tax_id), email: text(row.email), phone: text(row.phone) };
}
