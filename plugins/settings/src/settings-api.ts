import { pluginApi } from '@equinox-sync/core/plugin';
import type { Licence } from './licence/licence.js';
import type { LicenceStatus } from './licence/licence-status.js';
import type { Setting, SettingScope } from './settings/setting.js';

/**
 * What the settings plugin's `activate` returns, reached through `host.api(SettingsApi)`
 * (the token below). Writes are local and upload with the next sync; when the device and
 * the cloud disagree, the cloud wins.
 *
 * @example
 * const settings = host.api(SettingsApi);
 * settings.set('receipt.footer', 'Thank you!');               // the whole tenant
 * settings.set('printer', { port: 9100 }, { scope: 'device' }); // this device only
 * settings.get('printer');                                      // this device's value, else the tenant's
 * settings.licenceStatus().reason;                              // why uploads are paused, or null
 */
export interface SettingsApi {
  /** The value in force (this device's own, else the tenant's; or the given scope's); `undefined` when unset. */
  get(key: string, options?: { scope?: SettingScope }): unknown;
  /** Like `get`, with the scope, device and clock value of the setting found. */
  entry(key: string, options?: { scope?: SettingScope }): Setting | undefined;
  /** Sets any JSON value, for the tenant (default) or this device; throws `SettingsError` on a bad or reserved key. */
  set(key: string, value: unknown, options?: { scope?: SettingScope }): Setting;
  /** The settings that apply to this device: the tenant's and its own, by key. */
  list(): Setting[];
  /** The tenant's licence as this device last pulled it, or undefined. */
  licence(): Licence | undefined;
  /** The licence gate's last decision (`unchecked` before the first upload). */
  licenceStatus(): LicenceStatus;
}

/**
 * The typed token of {@link SettingsApi}: `host.api(SettingsApi)` and
 * `context.api(SettingsApi)` return the settings plugin's API without a cast.
 *
 * @example
 * host.api(SettingsApi).list();
 */
export const SettingsApi = pluginApi<SettingsApi>('@equinox-sync/plugin-settings');
