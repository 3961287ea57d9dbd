import { createHash } from 'node:crypto';
import type { SettingScope } from './setting.js';

/**
 * The ids of settings and licences are derived from what they are, not drawn at random:
 * a device and the back office that create the same setting meet as one row, which the
 * table's strategy (the cloud wins) settles, instead of colliding on the unique key
 * `(scope, device_id, key)` and being refused. The cloud derives the same ids
 * (`equinox_settings.setting_id`, `equinox_settings.licence_id`): each part prefixed
 * with its length in characters, SHA-256 of the UTF-8 text, 32 hex digits.
 *
 * @example
 * settingId('store-1', 'tenant', '', 'currency'); // 'set-3f0c…'
 */
export function settingId(tenantId: string, scope: SettingScope, deviceId: string, key: string): string {
  return `set-${digest([tenantId, scope, deviceId, key])}`;
}

/**
 * The id of a tenant's licence when the back office writes it with `settings_put_licence`.
 *
 * @example
 * licenceId('store-1'); // 'lic-9a1e…'
 */
export function licenceId(tenantId: string): string {
  return `lic-${digest([tenantId])}`;
}

function digest(parts: readonly string[]): string {
  // Characters, as Postgres' length() counts them: code points, not UTF-16 units.
  const text = parts.map((part) => `${[...part].length}:${part}`).join('');
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
}
