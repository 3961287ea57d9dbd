import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applySql, TokenMinter } from '../src/index.js';
import { supabaseClient } from './supabase-client.js';

const cloud = inject('cloud');
const table = `lc_rls_${randomUUID().slice(0, 8)}`;
const tokens = new TokenMinter(cloud.jwtSecret);

describe('row-level security keyed on the token tenant_id claim', () => {
  beforeAll(async () => {
    await applySql(
      cloud,
      `create table public.${table} (id text primary key, tenant_id text not null, body text);
       alter table public.${table} enable row level security;
       revoke all on public.${table} from anon;
       create policy tenant_rows on public.${table} to authenticated
         using (tenant_id = auth.jwt() ->> 'tenant_id')
         with check (tenant_id = auth.jwt() ->> 'tenant_id');
       insert into public.${table} values ('a1', 'tenant-a', 'A one'), ('a2', 'tenant-a', 'A two'), ('b1', 'tenant-b', 'B one');`,
    );
  });

  it("shows a tenant only its own rows", async () => {
    const token = await tokens.mint({ tenant_id: 'tenant-a' });
    const { data, error } = await supabaseClient(cloud.url, cloud.anonKey, token).from(table).select('id').order('id');
    expect(error).toBeNull();
    expect(data).toEqual([{ id: 'a1' }, { id: 'a2' }]);
  });

  it("refuses to write into another tenant", async () => {
    const token = await tokens.mint({ tenant_id: 'tenant-a' });
    const { error } = await supabaseClient(cloud.url, cloud.anonKey, token).from(table).insert({ id: 'x', tenant_id: 'tenant-b' });
    expect(error?.code).toBe('42501');
  });

  it('shows the anon key nothing', async () => {
    const { data, error } = await supabaseClient(cloud.url, cloud.anonKey).from(table).select('id');
    expect(data ?? []).toEqual([]);
    expect(error?.code).toBe('42501');
  });

  it('answers 401 to a request without or with a wrong apikey', async () => {
    const missing = await fetch(`${cloud.url}/rest/v1/${table}`);
    expect(missing.status).toBe(401);
    const forged = await new TokenMinter('not-the-secret-of-this-cloud-000000').mint({ role: 'service_role' });
    const wrong = await fetch(`${cloud.url}/rest/v1/${table}`, { headers: { apikey: forged } });
    expect(wrong.status).toBe(401);
    const userTokenAsKey = await tokens.mint({ tenant_id: 'tenant-a' });
    const notAKey = await fetch(`${cloud.url}/rest/v1/${table}`, { headers: { apikey: userTokenAsKey } });
    expect(notAKey.status).toBe(401);
  });

  it('refuses a forged user token', async () => {
    const forged = await new TokenMinter('not-the-secret-of-this-cloud-000000').mint({ tenant_id: 'tenant-a' });
    const { data, error } = await supabaseClient(cloud.url, cloud.anonKey, forged).from(table).select('id');
    expect(data).toBeNull();
    expect(error?.code).toBe('PGRST301');
  });
});
