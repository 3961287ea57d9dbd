import { deviceToken, disposeAfterTest, installCloudSchema, supabaseClient, tempDir, uniqueTenant, withSuperuser } from '@equinox-sync/core/testing';
import { FiscalApi, huella, recordPreimage, generateInstallationKeyPair, signRecord, type FiscalRecord } from '../src/index.js';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { tamper } from './database-tampering.js';
import { createHost, type EquinoxHost } from '@equinox-sync/host';
import { BUILTIN_PLUGINS, deviceConfig } from '../../../host/test/host-kit.js';

const cloud = inject('cloud');
const INVOICE = { issuerTaxId: 'B12345678', series: 'T1-', type: 'F1', taxTotal: '21.00', grossTotal: '121.00' } as const;

async function openTill(tenant: string, device: string, dir = tempDir('fiscal-tamper')): Promise<{ host: EquinoxHost; fiscal: FiscalApi; dir: string }> {
  const host = disposeAfterTest(await createHost({ config: await deviceConfig(cloud, { tenant, device, dir, builtins: true }) }));
  return { host, fiscal: host.api(FiscalApi), dir };
}

/** A till of a new tenant with `count` invoices, uploaded, its copy checked against the cloud once. */
async function syncedTill(count: number): Promise<{ host: EquinoxHost; fiscal: FiscalApi; tenant: string; dir: string; records: FiscalRecord[] }> {
  const tenant = uniqueTenant('fiscal-tamper');
  const till = await openTill(tenant, 'till-1');
  const records = Array.from({ length: count }, () => till.fiscal.issueInvoice(INVOICE));
  expect(await till.host.syncNow()).toMatchObject({ uploaded: count, rejected: 0, error: null });
  expect(await till.fiscal.verify({ remote: true })).toMatchObject({ ok: true, cloud: { records: count, pending: 0 } });
  return { ...till, tenant, records };
}

/**
 * Runs `sql` on the cloud as its Postgres superuser would to rewrite history: the
 * append-only triggers are switched off for this one transaction only (core's fires even
 * under session_replication_role = replica, so it must be disabled explicitly), and
 * restored as they were before it commits; other sessions never see them off.
 */
async function tamperCloud(sql: string, params: unknown[] = []): Promise<void> {
  await withSuperuser(async (client) => {
    await client.query('begin');
    try {
      await client.query('alter table public.invoices disable trigger _eq_append_only, disable trigger fiscal_append_only');
      for (const statement of sql.split(';').filter((part) => part.trim() !== '')) await client.query(statement, params);
      await client.query('alter table public.invoices enable always trigger _eq_append_only, enable trigger fiscal_append_only');
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  });
}

beforeAll(async () => {
  await installCloudSchema(BUILTIN_PLUGINS);
});

describe('verify --remote finds history rewritten in the cloud', () => {
  it('a row edited by the superuser', async () => {
    const { fiscal, tenant, records } = await syncedTill(3);
    await tamperCloud(`update public.invoices set gross_total = '1.00' where tenant_id = $1 and id = $2`, [tenant, records[1]?.id]);
    expect(await fiscal.verify()).toMatchObject({ ok: true, records: 3 });
    const result = await fiscal.verify({ remote: true });
    expect(result).toMatchObject({ ok: false, chains: 1, records: 3, cloud: { chains: 1, records: 3 } });
    expect(result.brokenAt).toMatchObject({ where: 'cloud', chain: 'till-1', index: 2, reason: 'preimage', found: records[1]?.preimage });
  });

  it('a row edited with its preimage and huella recomputed: the signature gives it away', async () => {
    const { fiscal, tenant, records } = await syncedTill(3);
    const preimage = recordPreimage({ ...(records[2] as FiscalRecord), gross_total: '1.00' });
    await tamperCloud(`update public.invoices set gross_total = '1.00', preimage = $3, hash = $4 where tenant_id = $1 and id = $2`, [
      tenant, records[2]?.id, preimage, huella(preimage),
    ]);
    expect((await fiscal.verify({ remote: true })).brokenAt).toMatchObject({ where: 'cloud', index: 3, reason: 'signature' });
  });

  it('a forged signature', async () => {
    const { fiscal, tenant, records } = await syncedTill(2);
    const forged = signRecord(records[1] as FiscalRecord, generateInstallationKeyPair()).signature;
    await tamperCloud('update public.invoices set signature = $3 where tenant_id = $1 and id = $2', [tenant, records[1]?.id, forged]);
    expect((await fiscal.verify({ remote: true })).brokenAt).toMatchObject({ where: 'cloud', index: 2, reason: 'signature', found: forged });
  });

  it('a record removed from the middle', async () => {
    const { fiscal, tenant, records } = await syncedTill(4);
    await tamperCloud('delete from public.invoices where tenant_id = $1 and id = $2', [tenant, records[1]?.id]);
    expect((await fiscal.verify({ remote: true })).brokenAt).toMatchObject({ where: 'cloud', index: 2, expected: '2', found: '3', reason: 'chain-index' });
  });

  it('two records swapped', async () => {
    const { fiscal, tenant } = await syncedTill(4);
    await tamperCloud(
      `update public.invoices set chain_index = -2 where tenant_id = $1 and chain_index = 2;
       update public.invoices set chain_index = 2 where tenant_id = $1 and chain_index = 3;
       update public.invoices set chain_index = 3 where tenant_id = $1 and chain_index = -2`,
      [tenant],
    );
    expect((await fiscal.verify({ remote: true })).brokenAt).toMatchObject({ where: 'cloud', index: 2, reason: 'prev-hash' });
  });

  it('the last records removed: the device knows the cloud held them', async () => {
    const { fiscal, tenant, records } = await syncedTill(3);
    await tamperCloud('delete from public.invoices where tenant_id = $1 and chain_index = 3', [tenant]);

    const own = await fiscal.verify({ remote: true });
    expect(own).toMatchObject({ ok: false, cloud: { records: 2 } });
    expect(own.brokenAt).toEqual({ where: 'cloud', chain: 'till-1', index: 3, expected: records[2]?.hash, found: 'none', reason: 'missing-in-cloud' });
    // Each chain on its own still holds: only a comparison shows a missing tail.
    expect(await fiscal.verify()).toMatchObject({ ok: true, records: 3 });
  });

  it('the last record removed before the device ever compared: what it uploaded shows the cloud held it', async () => {
    // The till does not pull its own links back, and has not verified yet: its marks come from its uploads.
    const tenant = uniqueTenant('fiscal-tamper');
    const till = await openTill(tenant, 'till-1');
    const records = [1, 2, 3].map(() => till.fiscal.issueInvoice(INVOICE));
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 3, downloaded: 0, error: null });
    await tamperCloud('delete from public.invoices where tenant_id = $1 and chain_index = 3', [tenant]);
    expect((await till.fiscal.verify({ remote: true })).brokenAt).toEqual({
      where: 'cloud', chain: 'till-1', index: 3, expected: records[2]?.hash, found: 'none', reason: 'missing-in-cloud',
    });
  });

  it('the whole chain removed: the registered key shows it had one', async () => {
    const { fiscal, tenant } = await syncedTill(2);
    await tamperCloud('delete from public.invoices where tenant_id = $1', [tenant]);
    expect((await fiscal.verify({ remote: true })).brokenAt).toMatchObject({ where: 'cloud', index: 1, reason: 'missing-in-cloud' });
  });
});

describe('verify --remote finds history rewritten on the device', () => {
  it('the last record removed from the database file', async () => {
    const { host, tenant, dir, records } = await syncedTill(3);
    const dbPath = host.config.dbPath;
    await host.dispose();
    tamper(dbPath, 'DELETE FROM invoices WHERE chain_index = 3');
    const { fiscal } = await openTill(tenant, 'till-1', dir);
    expect(await fiscal.verify()).toMatchObject({ ok: true, records: 2 });
    expect((await fiscal.verify({ remote: true })).brokenAt).toEqual({
      where: 'device', chain: 'till-1', index: 3, expected: records[2]?.hash, found: 'none', reason: 'missing-on-device',
    });
  });

  it('a record edited in the database file', async () => {
    const { host, tenant, dir } = await syncedTill(2);
    const dbPath = host.config.dbPath;
    await host.dispose();
    tamper(dbPath, `UPDATE invoices SET tax_total = '0.00' WHERE chain_index = 1`);
    const { fiscal } = await openTill(tenant, 'till-1', dir);
    expect((await fiscal.verify({ remote: true })).brokenAt).toMatchObject({ where: 'device', index: 1, reason: 'preimage' });
  });
});

describe('the cloud refuses to change fiscal records', () => {
  it('refuses UPDATE and DELETE through REST, with the service key and with the device token', async () => {
    const { tenant, records } = await syncedTill(1);
    const id = records[0]?.id as string;
    const admin = supabaseClient(cloud.serviceKey);
    const update = await admin.from('invoices').update({ gross_total: '0.00' }).eq('id', id);
    expect(update.error?.code).toBe('23001');
    expect((await admin.from('invoices').delete().eq('id', id)).error?.code).toBe('23001');
    expect((await admin.from('fiscal_installation_keys').delete().eq('tenant_id', tenant)).error).not.toBeNull();

    const device = supabaseClient(cloud.anonKey, { token: await deviceToken(tenant) });
    expect((await device.from('invoices').update({ gross_total: '0.00' }).eq('id', id)).error?.code).toBe('42501');
    expect((await device.from('invoices').delete().eq('id', id)).error?.code).toBe('42501');
    const { data } = await admin.from('invoices').select('gross_total').eq('id', id).single();
    expect(data).toEqual({ gross_total: '121.00' });
  });
});
