import { beforeAll, describe, expect, inject, it } from 'vitest';
import type {
  SupabaseRemote} from '../src/index.js';
import {
  CloudNotAsExpectedError,
  PUSH_EXPECTATION_CODE,
  SYNC_PROTOCOL_VERSION,
  type PushExpectation,
  type RemoteHealth,
} from '../src/index.js';
import { installPlugin, newRow } from './protocol-kit.js';
import { deviceRemote, deviceToken, hasIds, pullAll, supabaseClient, uniqueName, uniqueTenant } from '../src/testing/index.js';

// eq_push's p_expect (a run that pushes without probing first): the cloud checks what the
// device last saw of it before it writes anything, through a real device token.

const cloud = inject('cloud');
const notes = uniqueName('expect_notes');

describe('a push that carries what the device expects of the cloud', () => {
  let tenant: string;
  let remote: SupabaseRemote;
  let health: RemoteHealth;
  let expected: PushExpectation;

  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'expectation-test',
      version: '1.0.0',
      tables: [{ name: notes, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }],
    });
    tenant = uniqueTenant('expect');
    remote = (await deviceRemote(tenant)) as SupabaseRemote;
    health = await remote.health(5_000);
    expected = { protocol: SYNC_PROTOCOL_VERSION, tenant, epoch: health.epoch!, highWater: health.highWater!, cursorTxid: String(BigInt(health.nextTxid!) - 1n) };
  });

  /** Pushes one new row with `expect`; resolves with the refusal (or throws if the push went through). */
  async function refused(expect: PushExpectation): Promise<{ error: CloudNotAsExpectedError; id: string }> {
    const row = newRow(tenant, { body: 'must not land' });
    try {
      await remote.pushExpecting(notes, [{ row, base_version: null }], expect, true);
    } catch (error) {
      if (error instanceof CloudNotAsExpectedError) return { error, id: String(row.id) };
      throw error;
    }
    throw new Error(`the push with ${JSON.stringify(expect)} was written`);
  }

  it('is written, with its echo, when the cloud is as the device last saw it', async () => {
    const row = newRow(tenant, { body: 'as expected' });
    const answer = await remote.pushExpecting(notes, [{ row, base_version: null }], expected, true);
    expect(answer.outcomes).toEqual([{ id: row.id, status: 'applied', server_version: expect.any(Number) }]);
    expect(answer.echo).not.toBeNull();
    const { rows } = await pullAll(remote, notes, { until: hasIds([row.id]) });
    expect(rows.map((pulled) => pulled.id)).toContain(row.id);
  });

  it.each([
    ['another epoch (a cloud replaced)', (e: PushExpectation): PushExpectation => ({ ...e, epoch: '00000000-0000-4000-8000-000000000000' })],
    ['a high-water mark above the cloud\'s (a cloud rewound)', (e: PushExpectation): PushExpectation => ({ ...e, highWater: String(BigInt(e.highWater!) + 1_000_000n) })],
    ['a cursor at or past the next transaction (a cloud moved)', (e: PushExpectation): PushExpectation => ({ ...e, cursorTxid: String(BigInt(e.cursorTxid!) + 1_000_000n) })],
    ['another sync protocol', (e: PushExpectation): PushExpectation => ({ ...e, protocol: SYNC_PROTOCOL_VERSION + 1 })],
    ['another tenant than the token\'s', (e: PushExpectation): PushExpectation => ({ ...e, tenant: uniqueTenant('someone-else') })],
  ])('is refused whole, nothing written, for %s', async (_, falsify) => {
    const { error, id } = await refused(falsify(expected));
    expect(error).toMatchObject({ code: PUSH_EXPECTATION_CODE, reason: 'changed', retryable: false, operation: 'push', table: notes });
    // The same words whatever did not hold: it says that the cloud is not as expected, never how.
    expect(error.message).toBe(
      `push "${notes}" failed: the cloud is not as this device last saw it: nothing was written; probe it before pushing again (code ${PUSH_EXPECTATION_CODE}, HTTP 400)`,
    );
    expect([error.details, error.hint]).toEqual([undefined, undefined]);
    // Another device of the tenant sees no such row.
    const other = await deviceRemote(tenant, 'till-2');
    const { rows } = await pullAll(other, notes);
    expect(rows.map((row) => row.id)).not.toContain(id);
  });

  it('refuses an expectation that is not an object, naming the argument', async () => {
    const client = supabaseClient(cloud.anonKey, { token: await deviceToken(tenant, 'till-1') });
    const { error } = await client.rpc('eq_push', { p_expect: ['epoch'], p_table: notes, p_rows: [newRow(tenant, { body: 'x' })] });
    expect(error).toMatchObject({ code: '22023', message: expect.stringContaining('p_expect must be a JSON object') });
  });

  it('leaves a push without an expectation as it was', async () => {
    const row = newRow(tenant, { body: 'no expectation' });
    const outcomes = await remote.push(notes, [{ row, base_version: null }]);
    expect(outcomes).toEqual([{ id: row.id, status: 'applied', server_version: expect.any(Number) }]);
  });
});
