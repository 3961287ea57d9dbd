import type { PluginStore, Row } from '@equinox-sync/core/plugin';
import { isReservedKey } from '../cloud/settings-schema.js';
import { settingId } from './row-ids.js';
import { SETTING_SCOPES, SettingsError, type Setting, type SettingScope } from './setting.js';

const TABLE = 'settings';
const MAX_KEY_LENGTH = 200;

/**
 * The settings of one device, read and written through the plugin's store. Writes are
 * queued like any change and upload with the next sync; the cloud wins a disagreement.
 *
 * @example
 * const settings = new SettingsStore(context.store, context.device);
 * settings.set('receipt.footer', 'Thank you!');
 * settings.set('printer', { port: 9100 }, { scope: 'device' });
 * settings.get('printer'); // { port: 9100 }: this device's value, else the tenant's
 */
export class SettingsStore {
  constructor(
    private readonly store: PluginStore,
    private readonly device: { readonly tenantId: string; readonly deviceId: string },
  ) {}

  /** The value in force: with no scope, this device's own value, else the tenant's; `undefined` when unset. */
  get(key: string, options: { scope?: SettingScope } = {}): unknown {
    return this.entry(key, options)?.value;
  }

  /** Like {@link get}, with the scope, device and clock value of the setting found. */
  entry(key: string, options: { scope?: SettingScope } = {}): Setting | undefined {
    checkKey(key);
    const scopes = options.scope === undefined ? (['device', 'tenant'] as const) : [checkScope(options.scope)];
    for (const scope of scopes) {
      const row = this.find(scope, key);
      if (row !== undefined) return toSetting(row);
    }
    return undefined;
  }

  /** Sets a value (any JSON) for the tenant (default) or for this device only; returns the setting as stored. */
  set(key: string, value: unknown, options: { scope?: SettingScope } = {}): Setting {
    checkKey(key);
    const scope = checkScope(options.scope ?? 'tenant');
    if (isReservedKey(key)) throw new SettingsError(`setting "${key}" is reserved: only the back office sets it, in the cloud`);
    const json = jsonValue(key, value);
    const live = this.find(scope, key);
    if (live !== undefined) {
      // An unchanged value queues nothing: no upload, no conflict with the back office.
      if (JSON.stringify(live.value ?? null) === JSON.stringify(json)) return toSetting(live);
      return toSetting(this.store.update(TABLE, String(live.id), { value: json }));
    }
    const deviceId = scope === 'device' ? this.device.deviceId : '';
    const id = settingId(this.device.tenantId, scope, deviceId, key);
    // A tombstone holds the derived id; a fresh id still keeps the key unique (tombstones are skipped).
    const taken = this.store.get(TABLE, id, { includeDeleted: true }) !== undefined;
    return toSetting(this.store.insert(TABLE, { ...(taken ? {} : { id }), key, value: json, scope, device_id: deviceId }));
  }

  /** The settings that apply to this device: the tenant's and its own, by key. */
  list(): Setting[] {
    const rows = [...this.store.query(TABLE, { scope: 'tenant', device_id: '' }), ...this.store.query(TABLE, { scope: 'device', device_id: this.device.deviceId })];
    return rows.map(toSetting).sort((a, b) => (a.key === b.key ? a.scope.localeCompare(b.scope) : a.key < b.key ? -1 : 1));
  }

  private find(scope: SettingScope, key: string): Row | undefined {
    return this.store.query(TABLE, { scope, device_id: scope === 'device' ? this.device.deviceId : '', key })[0];
  }
}

function toSetting(row: Row): Setting {
  return { key: String(row.key), value: row.value ?? null, scope: row.scope as SettingScope, deviceId: String(row.device_id), updatedAt: String(row.updated_at) };
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.trim() === '') throw new SettingsError('a setting key must be a non-empty string');
  if (key.length > MAX_KEY_LENGTH) throw new SettingsError(`setting key "${key.slice(0, 20)}…" is longer than ${MAX_KEY_LENGTH} characters`);
  if (/\p{Cc}/u.test(key)) throw new SettingsError(`setting key ${JSON.stringify(key)} contains a control character`);
}

function checkScope(scope: unknown): SettingScope {
  if (!SETTING_SCOPES.includes(scope as SettingScope)) throw new SettingsError(`scope "${String(scope)}" must be "tenant" or "device"`);
  return scope as SettingScope;
}

/** The value as JSON will carry it, so the device holds exactly what the cloud will. */
function jsonValue(key: string, value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new SettingsError(`setting "${key}": the value is not JSON (${(error as Error).message})`);
  }
  if (text === undefined) throw new SettingsError(`setting "${key}": the value is not JSON (${typeof value})`);
  return JSON.parse(text) as unknown;
}
