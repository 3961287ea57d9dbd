import type { PluginStore, Row } from '@equinox-sync/core/plugin';
import { LICENCE_REQUIRED_KEY } from '../cloud/settings-schema.js';

/**
 * A tenant's licence, written in the cloud by the back office and read by devices.
 *
 * @example
 * const licence: Licence = { plan: 'pro', validUntil: '2027-01-01T00:00:00.000Z', maxDevices: 3, features: { kds: true } };
 */
export interface Licence {
  readonly plan: string;
  /** ISO-8601 in UTC. */
  readonly validUntil: string;
  readonly maxDevices: number;
  readonly features: unknown;
}

/**
 * What the device knows of its tenant's licensing from its own copy of the cloud's
 * rows: whether the tenant is managed (it has licence rows, live or revoked, or the
 * setting `licence.required` is `true`) and its latest live licence.
 *
 * @example
 * const { managed, licence } = localLicensing(context.store);
 */
export interface LocalLicensing {
  readonly managed: boolean;
  readonly licence: Licence | undefined;
  /** Managed through licence rows that are all revoked (tombstones). */
  readonly revoked: boolean;
}

/**
 * Reads {@link LocalLicensing} from the pulled `licenses` and `settings` rows. Of
 * several live licences, the one valid the longest counts.
 *
 * @example
 * if (localLicensing(store).licence === undefined) console.log('no licence on this device yet');
 */
export function localLicensing(store: PluginStore): LocalLicensing {
  const rows = store.query('licenses', {}, { includeDeleted: true });
  const live = rows.filter((row) => row.deleted !== true).map(toLicence);
  const licence = live.sort((a, b) => (a.validUntil < b.validUntil ? 1 : a.validUntil > b.validUntil ? -1 : 0))[0];
  const required = store.query('settings', { scope: 'tenant', device_id: '', key: LICENCE_REQUIRED_KEY }).some((row) => row.value === true);
  return { managed: rows.length > 0 || required, licence, revoked: rows.length > 0 && live.length === 0 };
}

/**
 * A licence from a row of `licenses` (local) or the cloud's answer (snake_case either way).
 *
 * @example
 * toLicence({ plan: 'pro', valid_until: '2027-01-01T00:00:00+00:00', max_devices: 3, features: {} });
 */
export function toLicence(row: Row): Licence {
  return {
    plan: String(row.plan),
    validUntil: new Date(String(row.valid_until)).toISOString(),
    maxDevices: Number(row.max_devices),
    features: row.features ?? null,
  };
}
