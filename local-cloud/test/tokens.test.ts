import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applySql, deviceClaims, TokenMinter } from '../src/index.js';
import { supabaseClient } from './supabase-client.js';

const cloud = inject('cloud');
const claims = `lc_claims_${randomUUID().slice(0, 8)}`;
const tokens = new TokenMinter(cloud.jwtSecret);

describe('device tokens', () => {
  beforeAll(async () => {
    await applySql(cloud, `create function public.${claims}() returns jsonb language sql stable as $$ select auth.jwt() $$;`);
  });

  afterAll(async () => {
    await applySql(cloud, `drop function if exists public.${claims};`);
  });

  it('deviceClaims puts the tenant, the device and a master role in app_metadata', () => {
    expect(deviceClaims({ tenant: 'store-1', device: 'till-1' })).toEqual({
      role: 'authenticated',
      app_metadata: { tenant_id: 'store-1', device_id: 'till-1' },
    });
    expect(deviceClaims({ tenant: 'hq', device: 'office', role: 'master' })).toEqual({
      role: 'authenticated',
      app_metadata: { tenant_id: 'hq', device_id: 'office', eq_role: 'master' },
    });
    expect(deviceClaims({ tenant: 'store-1', role: 'store' })).toEqual({ role: 'authenticated', app_metadata: { tenant_id: 'store-1' } });
  });

  it('reach the database as the claims Supabase would show: app_metadata, or top-level claims of a hook', async () => {
    const device = await tokens.mint(deviceClaims({ tenant: 'store-1', device: 'till-1' }));
    const seen = await supabaseClient(cloud.url, cloud.anonKey, device).rpc(claims);
    expect(seen.error).toBeNull();
    expect(seen.data).toMatchObject({ role: 'authenticated', app_metadata: { tenant_id: 'store-1', device_id: 'till-1' } });

    const hook = await tokens.mint({ tenant_id: 'store-1', device_id: 'till-1' });
    expect(decodeJwt(hook)).toMatchObject({ role: 'authenticated', tenant_id: 'store-1', device_id: 'till-1' });
    expect((await supabaseClient(cloud.url, cloud.anonKey, hook).rpc(claims)).data).toMatchObject({ tenant_id: 'store-1', device_id: 'till-1' });
  });
});
