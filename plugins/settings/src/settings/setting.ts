/**
 * Whom a setting applies to: the whole tenant, or one device (which overrides the
 * tenant's value on that device).
 *
 * @example
 * const scope: SettingScope = 'device';
 */
export type SettingScope = 'tenant' | 'device';

/**
 * Every {@link SettingScope}.
 *
 * @example
 * SETTING_SCOPES.includes(flag);
 */
export const SETTING_SCOPES: readonly SettingScope[] = ['tenant', 'device'];

/**
 * One setting as the device holds it.
 *
 * @example
 * const setting: Setting = { key: 'currency', value: 'EUR', scope: 'tenant', deviceId: '', updatedAt: '1718000000000-000000-till-1' };
 */
export interface Setting {
  readonly key: string;
  /** Any JSON value. */
  readonly value: unknown;
  readonly scope: SettingScope;
  /** The device a `device` setting belongs to; '' for a `tenant` setting. */
  readonly deviceId: string;
  /** The hybrid logical clock value of its last change. */
  readonly updatedAt: string;
}

/**
 * A setting the API refused: a bad key, scope or value, or a key reserved for the back
 * office.
 *
 * @example
 * try { settings.set('licence.required', false); } catch (e) { if (e instanceof SettingsError) console.error(e.message); }
 */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}
