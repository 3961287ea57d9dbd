/**
 * A typed handle on another plugin's public API: the plugin's package name, carrying the
 * API's type so `host.api(token)` and `context.api(token)` return it without a cast.
 * A plugin exports its token beside the API's type, under the same name.
 *
 * @example
 * export interface ClientsApi { add(name: string): string }
 * export const ClientsApi = pluginApi<ClientsApi>('@acme/equinox-clients');
 * // elsewhere:
 * const clients = host.api(ClientsApi); // typed ClientsApi
 */
export interface PluginApiToken<T> {
  /** The package name of the plugin whose `activate` returns the API. */
  readonly plugin: string;
  /** Never set: it only carries `T` for the compiler. */
  readonly __api?: T;
}

/**
 * Makes the {@link PluginApiToken} of the API that the plugin `plugin` (its package
 * name) returns from `activate`.
 *
 * @example
 * export const ClientsApi = pluginApi<ClientsApi>('@acme/equinox-clients');
 */
export function pluginApi<T>(plugin: string): PluginApiToken<T> {
  if (typeof plugin !== 'string' || plugin === '') throw new TypeError('pluginApi needs the plugin\'s package name');
  return Object.freeze({ plugin });
}

/**
 * The plugin name a token or a plain name designates.
 *
 * @example
 * apiPluginName(ClientsApi); // '@acme/equinox-clients'
 */
export function apiPluginName(api: PluginApiToken<unknown> | string): string {
  return typeof api === 'string' ? api : api.plugin;
}
