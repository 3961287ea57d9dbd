import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { chainFunctionNames, fiscalPlugin, generateInstallationKeyPair, type FiscalRecord, type InstallationKeyPair } from '../src/index.js';
import { buildChain } from './chain-fixtures.js';
import { cloudDatabase, cloudRest, deviceToken, installCloudSchema, pushRows, uniqueTenant } from '@equinox-sync/core/testing';
import { invoiceRow, rlsRefusal } from './hostile-kit.js';

// An attacker holds one device's real token and talks to the cloud as any client could:
// PostgREST directly, and eq_push as the engine calls it.
const cloud = inject('cloud');
const db = cloudDatabase();

beforeAll(async () => {
  await installCloudSchema([fiscalPlugin], cloud);
});

/** A tenant's till with its own key, token and the chain it has built so far. */
interface Till {
  readonly tenant: string;
  readonly device: string;
  readonly keys: InstallationKeyPair;
  readonly token: string;
  readonly chain: FiscalRecord[];
}

async function till(tenant: string, device: string, links: number, series = 'A-'): Promise<Till> {
  const keys = generateInstallationKeyPair();
  const chain = buildChain(keys, links, { installation_id: device, series });
  return { tenant, device, keys, token: await deviceToken(tenant, device), chain };
}

/** Uploads the first `count` links of a till's chain with its own token; all must apply. */
async function upload(owner: Till, count: number, from = 0): Promise<void> {
  const outcomes = await pushRows('invoices', owner.chain.slice(from, from + count).map((record) => invoiceRow(owner.tenant, record)), { token: owner.token });
  expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(count).fill('applied'));
}

async function cloudLinks(tenant: string, device: string): Promise<number[]> {
  const { rows } = await db.query<{ chain_index: string }>(
    'select chain_index from public.invoices where tenant_id = $1 and installation_id = $2 order by chain_index',
    [tenant, device],
  );
  return rows.map((row) => Number(row.chain_index));
}

/** Everything of a victim's chain an answer must not reveal. */
function secrets(victim: Till, stored: number): string[] {
  const records = victim.chain.slice(0, stored);
  return [
    victim.keys.publicKey,
    ...records.flatMap((record) => [record.hash, record.id, record.signature ?? '']),
    `link ${stored + 1}`,
    `expected link`,
    `${records.at(-1)?.series ?? ''}${stored}`,
  ].filter((secret) => secret !== '');
}

function expectNothingOf(text: string, hidden: readonly string[]): void {
  for (const secret of hidden) expect(text).not.toContain(secret);
}

describe('a hostile device and another tenant\'s fiscal chain', () => {
  it('is answered exactly as row-level security answers, over REST and eq_push, whatever it sends', async () => {
    const victim = await till(uniqueTenant('victim'), 'till-1', 4);
    await upload(victim, 3);
    const attacker = await deviceToken(uniqueTenant('attacker'), 'till-1');
    const hidden = secrets(victim, 3);
    const [first, , third, fourth] = victim.chain as [FiscalRecord, FiscalRecord, FiscalRecord, FiscalRecord];
    // Rows the chain guard would have described: an existing link, an out-of-order one, a
    // wrong prev_hash, a retried id, and the real next link.
    const probes = [
      { ...first, id: randomUUID() },
      third,
      { ...fourth, chain_index: 9 },
      { ...fourth, prev_hash: 'A'.repeat(64) },
      fourth,
    ].map((record) => invoiceRow(victim.tenant, record));

    for (const probe of probes) {
      const answer = await cloudRest('POST', 'invoices', { body: probe, token: attacker });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject(rlsRefusal('invoices'));
      expectNothingOf(answer.text, hidden);
    }
    const outcomes = await pushRows('invoices', probes, { token: attacker });
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'rejected', code: '42501', reason: rlsRefusal('invoices').message });
      // The outcome echoes the id the attacker sent; nothing else may carry the victim's data.
      const { id: _sent, ...answer } = outcome;
      expectNothingOf(JSON.stringify(answer), hidden);
    }

    // Nothing of the victim moved: its next link applies and its chain is whole.
    await upload(victim, 1, 3);
    expect(await cloudLinks(victim.tenant, 'till-1')).toEqual([1, 2, 3, 4]);
  });

  it('reads no other tenant\'s chain heads, records or keys', async () => {
    const victim = await till(uniqueTenant('victim'), 'till-1', 2);
    await upload(victim, 2);
    const attacker = await deviceToken(uniqueTenant('attacker'), 'till-1');
    const { heads, records } = chainFunctionNames('invoices');
    const answers = [
      await cloudRest('POST', `rpc/${heads}`, { body: {}, token: attacker }),
      await cloudRest('POST', `rpc/${records}`, { body: { p_installation: 'till-1' }, token: attacker }),
      await cloudRest('GET', `fiscal_installation_keys?tenant_id=eq.${victim.tenant}`, { token: attacker }),
      await cloudRest('GET', `invoices?tenant_id=eq.${victim.tenant}`, { token: attacker }),
    ];
    expect(answers.map((answer) => [answer.status, answer.body])).toEqual([[200, []], [200, []], [200, []], [200, []]]);
  });
});

describe('a hostile device and its own tenant\'s other installations', () => {
  it('cannot append the next link of another till\'s chain; that till\'s real link then applies', async () => {
    const tenant = uniqueTenant('tills');
    const a1 = await till(tenant, 'a1', 3);
    const a2 = await till(tenant, 'a2', 0);
    await upload(a1, 2);
    // a2 can read a1's chain, so it can forge a link that fits it: random signature, no key.
    const real = a1.chain[2] as FiscalRecord;
    const forged = { ...real, id: `forged-${real.id}`, signature: randomBytes(64).toString('base64') };
    const expected = { code: '42501', message: 'device "a2" may only append to its own chain' };

    const direct = await cloudRest('POST', 'invoices', { body: invoiceRow(tenant, forged), token: a2.token });
    expect(direct.status).toBe(403);
    expect(direct.body).toMatchObject(expected);
    const [pushed] = await pushRows('invoices', [invoiceRow(tenant, forged)], { token: a2.token });
    expect(pushed).toMatchObject({ status: 'rejected', code: expected.code, reason: expected.message });

    await upload(a1, 1, 2);
    expect(await cloudLinks(tenant, 'a1')).toEqual([1, 2, 3]);
  });

  it('cannot claim the first link (and so the key) of a till that has not started; that till then starts with its own key', async () => {
    const tenant = uniqueTenant('tills');
    const a3 = await till(tenant, 'a3', 1);
    const a2 = await till(tenant, 'a2', 0);
    // The first link of a3's chain, signed and keyed by a2.
    const claim = buildChain(a2.keys, 1, { installation_id: 'a3' })[0] as FiscalRecord;
    expect(claim.public_key).toBe(a2.keys.publicKey);
    const direct = await cloudRest('POST', 'invoices', { body: invoiceRow(tenant, claim), token: a2.token });
    expect(direct.body).toMatchObject({ code: '42501', message: 'device "a2" may only append to its own chain' });
    const [pushed] = await pushRows('invoices', [invoiceRow(tenant, claim)], { token: a2.token });
    expect(pushed).toMatchObject({ status: 'rejected', code: '42501' });

    await upload(a3, 1);
    const keys = await db.query('select installation_id, public_key from public.fiscal_installation_keys where tenant_id = $1', [tenant]);
    expect(keys.rows).toEqual([{ installation_id: 'a3', public_key: a3.keys.publicKey }]);
  });

  it('refuses every fiscal write of a token that names no device, saying so', async () => {
    const tenant = uniqueTenant('no-device');
    const owner = await till(tenant, 'till-1', 1);
    const anonymous = await deviceToken(tenant);
    const expected = { code: '42501', message: 'this token names no device: fiscal records need a device token' };
    const direct = await cloudRest('POST', 'invoices', { body: invoiceRow(tenant, owner.chain[0] as FiscalRecord), token: anonymous });
    expect(direct.body).toMatchObject(expected);
    const [pushed] = await pushRows('invoices', [invoiceRow(tenant, owner.chain[0] as FiscalRecord)], { token: anonymous });
    expect(pushed).toMatchObject({ status: 'rejected', code: expected.code, reason: expected.message });
    // Reading stays allowed, and the till's own token starts the chain.
    expect((await cloudRest('GET', 'invoices?select=id', { token: anonymous })).status).toBe(200);
    await upload(owner, 1);
  });
});

describe('installations of different tenants', () => {
  it('chain side by side when their tills have the same name', async () => {
    const [a, b] = [await till(uniqueTenant('same-a'), 'till-1', 3), await till(uniqueTenant('same-b'), 'till-1', 3)];
    await upload(a, 2);
    await upload(b, 3);
    await upload(a, 1, 2);
    expect([await cloudLinks(a.tenant, 'till-1'), await cloudLinks(b.tenant, 'till-1')]).toEqual([[1, 2, 3], [1, 2, 3]]);
    const { heads } = chainFunctionNames('invoices');
    const seen = await cloudRest('POST', `rpc/${heads}`, { body: {}, token: a.token });
    expect(seen.body).toEqual([{ installation_id: 'till-1', links: 3, last_index: 3, last_hash: a.chain[2]?.hash, public_key: a.keys.publicKey }]);
  });
});
