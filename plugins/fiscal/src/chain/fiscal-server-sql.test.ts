import { randomUUID } from 'node:crypto';
import { compileServerSchema } from '@equinox-sync/core/server';
import { applySql } from '@equinox-sync/local-cloud';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildChain, cancel, issueInput } from '../../test/chain-fixtures.js';
import {
  chainFunctionNames,
  FISCAL_SCHEMA,
  FISCAL_SERVER_SQL,
  fiscalServerSql,
  generateInstallationKeyPair,
  huella,
  nextLink,
  recordPreimage,
  signRecord,
  type FiscalRecord,
} from '../index.js';

const cloud = inject('cloud');
// The database is shared by every test file of the run: unique tables, unique tenants.
const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
const table = `fiscal_inv_${suffix}`;
const keysTable = `fiscal_keys_${suffix}`;
const sql = fiscalServerSql({ table, keysTable });
const keys = generateInstallationKeyPair();
let client: pg.Client;

const COLUMNS = [
  'id', 'tenant_id', 'issuer_tax_id', 'installation_id', 'series', 'number', 'invoice_type', 'issue_date',
  'tax_total', 'gross_total', 'currency', 'client_tax_id', 'lines', 'record_kind', 'cancels_invoice_id',
  'corrects_invoice_id', 'chain_index', 'prev_hash', 'hash', 'preimage', 'generated_at', 'public_key', 'signature',
] as const;

/** What core's server compiler will create from the plugin's declaration, minus sync columns. */
const CREATE_TABLE = `create table public.${table} (
  id text not null,
  tenant_id text not null,
  issuer_tax_id text not null,
  installation_id text not null,
  series text not null,
  number bigint not null,
  invoice_type text not null,
  issue_date text not null,
  tax_total text not null,
  gross_total text not null,
  currency text not null default 'EUR',
  client_tax_id text,
  lines jsonb,
  record_kind text not null default 'issue',
  cancels_invoice_id text,
  corrects_invoice_id text,
  chain_index bigint not null,
  prev_hash text not null default '',
  hash text not null,
  preimage text not null,
  generated_at text not null,
  public_key text,
  signature text,
  primary key (tenant_id, id)
);
grant all on public.${table} to anon, authenticated, service_role;`;

function insertText(onConflict = ''): string {
  const placeholders = COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
  return `insert into public.${table} (${COLUMNS.join(', ')}) values (${placeholders}) ${onConflict}`;
}

function values(tenant: string, record: FiscalRecord): unknown[] {
  const row: Record<string, unknown> = { ...record, tenant_id: tenant, lines: JSON.stringify(record.lines) };
  return COLUMNS.map((column) => row[column]);
}

async function insert(tenant: string, record: FiscalRecord, db: pg.ClientBase = client): Promise<void> {
  await db.query(insertText(), values(tenant, record));
}

async function refusal(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error: unknown = await work.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof Error)) throw new Error('expected the cloud to refuse, but it accepted');
  return { code: (error as Error & { code?: string }).code ?? '', message: error.message };
}

async function links(tenant: string): Promise<number[]> {
  const result = await client.query<{ chain_index: string }>(
    `select chain_index from public.${table} where tenant_id = $1 order by chain_index`,
    [tenant],
  );
  return result.rows.map((row) => Number(row.chain_index));
}

/** Runs `work` as an API role with the JWT claims of the tenant's device (till-1 unless named), as PostgREST would. */
async function asRole<T>(role: string, tenant: string, work: (db: pg.ClientBase) => Promise<T>, device = 'till-1'): Promise<T> {
  await client.query('begin');
  try {
    await client.query(`set local role ${role}`);
    const claims = { role, app_metadata: { tenant_id: tenant, device_id: device } };
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

function tenant(): string {
  return `tenant-${randomUUID()}`;
}

beforeAll(async () => {
  client = new pg.Client({ connectionString: cloud.pgUrl });
  await client.connect();
  // Core's foundation: the guard reads the token through equinox.jwt_tenant() and jwt_device().
  await applySql(cloud, compileServerSchema([]));
  await client.query(CREATE_TABLE);
  await applySql(cloud, sql);
  // Idempotent: a second run changes nothing and fails on nothing.
  await applySql(cloud, sql);
});

afterAll(async () => {
  await client.query(`drop table if exists public.${table}, public.${keysTable} cascade`);
  await client.query(`drop function if exists ${FISCAL_SCHEMA}.${table}_guard_insert()`);
  const names = chainFunctionNames(table);
  await client.query(`drop function if exists public.${names.heads}(text, integer), public.${names.records}(text, bigint, integer)`);
  await client.end();
});

describe('fiscal server SQL', () => {
  it('targets public.invoices by default and refuses a table name that is not an identifier', () => {
    expect(FISCAL_SERVER_SQL).toContain('before insert on public.invoices');
    expect(FISCAL_SERVER_SQL).toContain('public.fiscal_installation_keys');
    expect(() => fiscalServerSql({ table: 'invoices; drop table x' })).toThrow(TypeError);
    expect(() => fiscalServerSql({ keysTable: 'K' })).toThrow(TypeError);
  });

  it('accepts the right next link and refuses an out-of-order one', async () => {
    const t = tenant();
    const chain = buildChain(keys, 3);
    await insert(t, chain[0] as FiscalRecord);
    const skipped = await refusal(insert(t, chain[2] as FiscalRecord));
    expect(skipped.code).toBe('P0001');
    expect(skipped.message).toBe(`fiscal chain (tenant ${t}, installation till-1) link 3: out of order, expected link 2`);
    await insert(t, chain[1] as FiscalRecord);
    await insert(t, chain[2] as FiscalRecord);
    expect(await links(t)).toEqual([1, 2, 3]);
  });

  it('accepts several links of a chain in one statement, as eq_push inserts a batch', async () => {
    const t = tenant();
    const chain = buildChain(keys, 4);
    const rows = chain.map((_, i) => `(${COLUMNS.map((_, c) => `$${i * COLUMNS.length + c + 1}`).join(', ')})`);
    const batch = `insert into public.${table} (${COLUMNS.join(', ')}) values ${rows.join(', ')}`;
    const reversed = await refusal(client.query(batch, [...chain].reverse().flatMap((record) => values(t, record))));
    expect(reversed.message).toContain('link 4: out of order, expected link 1');
    await client.query(batch, chain.flatMap((record) => values(t, record)));
    expect(await links(t)).toEqual([1, 2, 3, 4]);
  });

  it('refuses a link that already exists with 23505, and lets a retried row reach the primary key', async () => {
    const t = tenant();
    const [first, second] = buildChain(keys, 2) as [FiscalRecord, FiscalRecord];
    await insert(t, first);
    await insert(t, second);
    const again = await refusal(insert(t, { ...second, id: randomUUID() }));
    expect(again.code).toBe('23505');
    expect(again.message).toContain('link 2: that link already exists; the next link is 3');
    // An idempotent retry of the same row is a duplicate, not a chain error.
    const retried = await client.query(insertText('on conflict (tenant_id, id) do nothing'), values(t, second));
    expect(retried.rowCount).toBe(0);
    expect((await refusal(insert(t, second))).code).toBe('23505');
  });

  it('refuses a wrong prev_hash, naming the chain and link', async () => {
    const t = tenant();
    const [first, second] = buildChain(keys, 2) as [FiscalRecord, FiscalRecord];
    await insert(t, first);
    // Consistent in itself (preimage and hash recomputed): only the link is wrong.
    const preimage = recordPreimage({ ...second, prev_hash: 'A'.repeat(64) });
    const wrong = signRecord({ ...second, prev_hash: 'A'.repeat(64), preimage, hash: huella(preimage) }, keys);
    const refused = await refusal(insert(t, wrong));
    expect(refused.code).toBe('P0001');
    expect(refused.message).toBe(
      `fiscal chain (tenant ${t}, installation till-1) link 2: prev_hash must be the hash of link 1 (${first.hash}), found ${'A'.repeat(64)}`,
    );
    expect(await links(t)).toEqual([1]);
  });

  it('refuses a wrong hash, and a preimage the columns do not rebuild', async () => {
    const t = tenant();
    const [first, second] = buildChain(keys, 2) as [FiscalRecord, FiscalRecord];
    await insert(t, first);
    const badHash = await refusal(insert(t, { ...second, hash: '0'.repeat(64) }));
    expect(badHash.code).toBe('P0001');
    expect(badHash.message).toContain(`link 2: hash must be SHA-256 of the preimage, expected ${second.hash}`);
    const edited = await refusal(insert(t, { ...second, gross_total: '1.00' }));
    expect(edited.code).toBe('P0001');
    expect(edited.message).toContain('link 2: preimage does not match the columns');
    const badField = await refusal(insert(t, { ...second, tax_total: '2.1' }));
    expect(badField.message).toContain('link 2: invalid tax_total');
    expect(await links(t)).toEqual([1]);
  });

  it('rebuilds exactly the huella the client computed, issues and cancellations alike', async () => {
    const t = tenant();
    const chain = buildChain(keys, 3, { lines: [{ description: 'Té con leche', unit_price: '1.20' }] });
    cancel(chain, chain[1] as FiscalRecord, keys);
    for (const record of chain) await insert(t, record);
    const stored = await client.query<{ hash: string; preimage: string; ok: boolean }>(
      `select hash, preimage, upper(encode(sha256(convert_to(preimage, 'UTF8')), 'hex')) = hash as ok
         from public.${table} where tenant_id = $1 order by chain_index`,
      [t],
    );
    expect(stored.rows.map((row) => row.hash)).toEqual(chain.map((record) => record.hash));
    expect(stored.rows.map((row) => row.preimage)).toEqual(chain.map((record) => record.preimage));
    expect(stored.rows.every((row) => row.ok)).toBe(true);
  });

  it('keeps series numbering gapless and cancellations unique', async () => {
    const t = tenant();
    const chain: FiscalRecord[] = [];
    chain.push(signRecord(nextLink(undefined, issueInput({ number: 1 })), keys));
    const gap = signRecord(nextLink(chain[0], issueInput({ number: 3 })), keys);
    await insert(t, chain[0] as FiscalRecord);
    const skipped = await refusal(insert(t, gap));
    expect(skipped.code).toBe('P0001');
    expect(skipped.message).toContain('series "A-" skips from 1 to 3');

    const first = chain[0] as FiscalRecord;
    const dangling = signRecord(
      nextLink(first, issueInput({ record_kind: 'cancellation', number: 7, cancels_invoice_id: 'nowhere' })),
      keys,
    );
    expect((await refusal(insert(t, dangling))).message).toContain('cancels invoice A-7 which the cloud does not hold');

    const cancellation = cancel(chain, first, keys);
    await insert(t, cancellation);
    const twice = cancel(chain, first, keys);
    const again = await refusal(insert(t, twice));
    expect(again.code).toBe('23505');
    expect(again.message).toContain('invoice A-1 is already cancelled');
  });

  it('refuses UPDATE, DELETE and TRUNCATE, for the superuser too', async () => {
    const t = tenant();
    const [first] = buildChain(keys, 1) as [FiscalRecord];
    await insert(t, first);
    const update = await refusal(client.query(`update public.${table} set gross_total = '0.00' where tenant_id = $1`, [t]));
    expect(update.code).toBe('23001');
    expect(update.message).toBe(`fiscal records in public.${table} are append-only: UPDATE is refused`);
    const remove = await refusal(client.query(`delete from public.${table} where tenant_id = $1`, [t]));
    expect(remove.code).toBe('23001');
    expect(remove.message).toContain('DELETE is refused');
    expect((await refusal(client.query(`truncate public.${table}`))).message).toContain('TRUNCATE is refused');
    for (const role of ['service_role', 'authenticated']) {
      const refused = await refusal(asRole(role, t, (db) => db.query(`delete from public.${table} where tenant_id = $1`, [t])));
      expect(refused.code).toBe('23001');
    }
    expect(await links(t)).toEqual([1]);
  });

  it('registers the installation key with the first link; the first key wins', async () => {
    const t = tenant();
    const [first, second] = buildChain(keys, 2) as [FiscalRecord, FiscalRecord];
    const unsigned = await refusal(insert(t, { ...first, public_key: null }));
    expect(unsigned.message).toContain('link 1: invalid public_key');
    // Uploaded as a device would: the authenticated role, under RLS, through the guard.
    await asRole('authenticated', t, (db) => insert(t, first, db));
    const registered = await client.query(`select public_key from public.${keysTable} where tenant_id = $1`, [t]);
    expect(registered.rows).toEqual([{ public_key: keys.publicKey }]);

    const other = generateInstallationKeyPair();
    const rekeyed = await refusal(insert(t, { ...second, public_key: other.publicKey }));
    expect(rekeyed.message).toContain(`installation key ${other.publicKey} differs from the registered key ${keys.publicKey}`);
    const noSignature = await refusal(insert(t, { ...second, signature: null }));
    expect(noSignature.message).toContain('link 2: invalid signature');
    await insert(t, second);

    const change = await refusal(client.query(`update public.${keysTable} set public_key = $2 where tenant_id = $1`, [t, other.publicKey]));
    expect(change.code).toBe('23001');
  });

  it('lets a device append only to its own installation\'s chain; the service role writes any', async () => {
    const t = tenant();
    const [first, second] = buildChain(keys, 2) as [FiscalRecord, FiscalRecord];
    const foreign = await refusal(asRole('authenticated', t, (db) => insert(t, first, db), 'till-2'));
    expect(foreign).toEqual({ code: '42501', message: 'device "till-2" may only append to its own chain' });
    const anonymous = await refusal(asRole('authenticated', t, (db) => insert(t, first, db), ''));
    expect(anonymous).toEqual({ code: '42501', message: 'this token names no device: fiscal records need a device token' });
    expect(await links(t)).toEqual([]);
    expect((await client.query(`select 1 from public.${keysTable} where tenant_id = $1`, [t])).rowCount).toBe(0);
    await asRole('authenticated', t, (db) => insert(t, first, db));
    await asRole('service_role', t, (db) => insert(t, second, db), '');
    expect(await links(t)).toEqual([1, 2]);
  });

  it('shows each tenant only its own installation keys', async () => {
    const [mine, theirs] = [tenant(), tenant()];
    await insert(mine, buildChain(keys, 1)[0] as FiscalRecord);
    const other = generateInstallationKeyPair();
    await insert(theirs, buildChain(other, 1)[0] as FiscalRecord);
    const seen = await asRole('authenticated', mine, (db) =>
      db.query(`select tenant_id, public_key from public.${keysTable} where tenant_id in ($1, $2)`, [mine, theirs]),
    );
    expect(seen.rows).toEqual([{ tenant_id: mine, public_key: keys.publicKey }]);
    const write = await refusal(
      asRole('authenticated', mine, (db) =>
        db.query(`insert into public.${keysTable} (tenant_id, installation_id, public_key) values ($1, 'till-9', $2)`, [mine, other.publicKey]),
      ),
    );
    expect(write.code).toBe('42501');
  });

  it('refuses a correction reference on anything but a corrective issue', async () => {
    const t = tenant();
    const [first] = buildChain(keys, 1) as [FiscalRecord];
    const wrong = signRecord({ ...first, corrects_invoice_id: randomUUID() }, keys);
    const refused = await refusal(insert(t, wrong));
    expect(refused.code).toBe('P0001');
    expect(refused.message).toContain('link 1: invalid corrects_invoice_id');
    const corrective = signRecord(nextLink(undefined, issueInput({ invoice_type: 'R1', corrects_invoice_id: randomUUID() })), keys);
    await insert(t, corrective);
    expect(await links(t)).toEqual([1]);
  });

  it('exports a tenant\'s chains and keys to that tenant only, a page at a time', async () => {
    const [mine, theirs] = [tenant(), tenant()];
    const other = generateInstallationKeyPair();
    const chain = buildChain(keys, 5);
    const second = buildChain(other, 2, { installation_id: 'till-2', series: 'B-' });
    for (const record of [...chain, ...second]) await insert(mine, record);
    await insert(theirs, buildChain(keys, 1, { installation_id: 'till-9' })[0] as FiscalRecord);
    const names = chainFunctionNames(table);
    const heads = async (after: string | null, limit: number): Promise<unknown> => {
      const result = await asRole('authenticated', mine, (db) => db.query(`select public.${names.heads}($1, $2) as page`, [after, limit]));
      return result.rows[0]?.page;
    };
    const till1 = { installation_id: 'till-1', links: 5, last_index: 5, last_hash: chain[4]?.hash, public_key: keys.publicKey };
    const till2 = { installation_id: 'till-2', links: 2, last_index: 2, last_hash: second[1]?.hash, public_key: other.publicKey };
    expect(await heads(null, 1000)).toEqual([till1, till2]);
    expect([await heads(null, 1), await heads('till-1', 1), await heads('till-2', 1)]).toEqual([[till1], [till2], []]);
    const page = async (after: number): Promise<FiscalRecord[]> => {
      const result = await asRole('authenticated', mine, (db) =>
        db.query<{ page: FiscalRecord[] }>(`select public.${names.records}('till-1', $1, 2) as page`, [after]),
      );
      return result.rows[0]?.page ?? [];
    };
    expect((await page(0)).map((r) => r.chain_index)).toEqual([1, 2]);
    const last = await page(4);
    expect(last).toEqual([{ ...chain[4], lines: chain[4]?.lines }]);
    const foreign = await asRole('authenticated', theirs, (db) => db.query(`select public.${names.records}('till-1', 0, 10) as page`));
    expect(foreign.rows[0]?.page).toEqual([]);
    const anonymous = await refusal(asRole('anon', mine, (db) => db.query(`select public.${names.heads}()`)));
    expect(anonymous.code).toBe('42501');
  });
});
