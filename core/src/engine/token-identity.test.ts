import { describe, expect, it } from 'vitest';
import { checkTokenIdentity } from './token-identity.js';

const device = { tenantId: 'store-1', deviceId: 'till-1' };
const health = { online: true, latencyMs: 1 };

describe('checkTokenIdentity', () => {
  it('accepts a token of this tenant and device, and a cloud that does not say (an older schema)', () => {
    expect(checkTokenIdentity({ ...health, tenant: 'store-1', device: 'till-1' }, device)).toEqual({});
    expect(checkTokenIdentity(health, device)).toEqual({});
  });

  it('refuses another tenant\'s token, naming both tenants and the command that mints the right one', () => {
    expect(checkTokenIdentity({ ...health, tenant: 'store-2', device: 'till-1' }, device).refusal).toBe(
      'the token is for tenant "store-2" but this device is configured for tenant "store-1": ' +
        'mint a token for "store-1" (equinox cloud token --tenant store-1 --device till-1)',
    );
  });

  it('refuses a token naming no tenant', () => {
    expect(checkTokenIdentity({ ...health, tenant: null }, device).refusal).toMatch(/^the token names no tenant but/);
    expect(checkTokenIdentity({ ...health, tenant: '' }, device).refusal).toMatch(/^the token names no tenant but/);
  });

  it('warns about another installation\'s token without refusing it; a token naming no device is not a mismatch', () => {
    const other = checkTokenIdentity({ ...health, tenant: 'store-1', device: 'till-9' }, device);
    expect(other.refusal).toBeUndefined();
    expect(other.warning).toMatch(/^the token is for device "till-9" but this device is "till-1": /);
    expect(checkTokenIdentity({ ...health, tenant: 'store-1', device: null }, device)).toEqual({});
  });
});
