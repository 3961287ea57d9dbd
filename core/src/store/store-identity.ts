import { assertDeviceId, formatHlc, newRecordId } from '../clock/index.js';
import { StoreError } from './store-error.js';
import { META_KEYS, type StoreMeta } from './store-meta.js';

/** Whose data a database file holds. */
export interface StoreIdentity {
  readonly tenantId: string;
  readonly deviceId: string;
}

/**
 * Binds a database file to one tenant and one device on first open and checks them on
 * every later open: rows of two tenants in one file, or two devices sharing one clock
 * identity, would corrupt sync silently. Without a device id the stored one is used, or
 * a new UUIDv7 on first open.
 *
 * @example
 * const { deviceId } = bindIdentity(meta, { tenantId: 'tenant-a' });
 */
export function bindIdentity(meta: StoreMeta, wanted: { tenantId: string; deviceId?: string | undefined }): StoreIdentity {
  if (typeof wanted.tenantId !== 'string' || wanted.tenantId === '') throw new StoreError('tenantId must be a non-empty string');
  const storedTenant = meta.read(META_KEYS.tenantId);
  const storedDevice = meta.read(META_KEYS.deviceId);
  if (storedTenant !== undefined && storedTenant !== wanted.tenantId) {
    throw new StoreError(`this database belongs to tenant "${storedTenant}", not "${wanted.tenantId}"`);
  }
  if (storedDevice !== undefined && wanted.deviceId !== undefined && storedDevice !== wanted.deviceId) {
    throw new StoreError(`this database belongs to device "${storedDevice}", not "${wanted.deviceId}"`);
  }
  const deviceId = assertDeviceId(storedDevice ?? wanted.deviceId ?? newRecordId());
  if (storedTenant === undefined) meta.write(META_KEYS.tenantId, wanted.tenantId);
  if (storedDevice === undefined) meta.write(META_KEYS.deviceId, deviceId);
  if (meta.read(META_KEYS.hlc) === undefined) meta.write(META_KEYS.hlc, formatHlc({ wallMs: 0, counter: 0, deviceId }));
  return { tenantId: wanted.tenantId, deviceId };
}
