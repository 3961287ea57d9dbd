// @ts-check
import { pluginApi } from '@equinox-sync/core/plugin';

/**
 * A client as the API returns it.
 *
 * @typedef {object} Client
 * @property {string} id
 * @property {string} name
 * @property {string | null} tax_id
 * @property {string | null} email
 * @property {string | null} phone
 */

/**
 * A new client: a name, and what else is known.
 *
 * @typedef {object} NewClient
 * @property {string} name
 * @property {string} [tax_id]
 * @property {string} [email] Must contain "@".
 * @property {string} [phone]
 */

/**
 * The fields of a client to change; those left out keep their value, `null` clears one
 * (but a client always has a name).
 *
 * @typedef {object} ClientPatch
 * @property {string} [name]
 * @property {string | null} [tax_id]
 * @property {string | null} [email] Must contain "@".
 * @property {string | null} [phone]
 */

/**
 * What the clients plugin offers other plugins, apps and its own commands: its `activate`
 * returns it, and `host.api(ClientsApi)` reaches it, typed.
 *
 * @typedef {object} ClientsApi
 * @property {() => Client[]} list Every client on this device, by name.
 * @property {(client: NewClient) => Client} add Adds a client; it syncs with the next run. Throws on an email without "@".
 * @property {(id: string, patch: ClientPatch) => Client} update Changes a client and returns it as stored; it syncs with
 *   the next run, and an edit another device made meanwhile puts both versions in the conflict inbox. Throws on an unknown
 *   id and on an email without "@".
 * @property {(id: string) => Client} remove Removes a client on this device and returns it as it was. The cloud keeps it
 *   until the delete is confirmed (`equinox deletes confirm ID`, or `host.deletes.confirm([id])`). Throws on an unknown id.
 */

/**
 * The typed token of {@link ClientsApi}: `host.api(ClientsApi)` and `context.api(ClientsApi)`
 * return the API without a cast.
 *
 * @example
 * const clients = host.api(ClientsApi).list();
 *
 * @type {import('@equinox-sync/core/plugin').PluginApiToken<ClientsApi>}
 */
export const ClientsApi = pluginApi('@acme/equinox-clients');

/**
 * Why `email` is not a valid email, or `undefined` when it is (or absent).
 *
 * @param {unknown} email
 * @returns {string | undefined}
 */
export function emailProblem(email) {
  return typeof email === 'string' && !email.includes('@') ? `email "${email}" is not valid` : undefined;
}
