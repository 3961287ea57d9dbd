import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { installPlugin, newRow } from './protocol-kit.js';
import { deviceRemote, eventually, uniqueName, uniqueTenant } from '../src/testing/index.js';

const cloud = inject('cloud');
const notes = uniqueName('held_notes');

describe('a pull of rows held back behind an open transaction', () => {
  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'held-back-test',
      version: '1.0.0',
      tables: [{ name: notes, columns: { title: { type: 'text' } }, strategy: 'LastWriteWins' }],
    });
  });

  it('says so on its last page, and no more once they come', async () => {
    const tenant = uniqueTenant('held');
    const remote = await deviceRemote(tenant, 'till-1');
    // A transaction with an id, open anywhere in the cloud, holds back rows committed after it began.
    const open = new pg.Client({ connectionString: cloud.adminPgUrl });
    await open.connect();
    try {
      await open.query('begin');
      await open.query('select pg_current_xact_id()');
      const row = newRow(tenant, { title: 'waits' });
      expect((await remote.push(notes, [{ row, base_version: null }]))[0]).toMatchObject({ status: 'applied' });
      const held = await remote.pull(notes, null, 100);
      expect(held).toEqual({ rows: [], cursor: { txid: '0', server_version: 0 }, has_more: false, held_back: true });
      await open.query('commit');

      // Other test files' transactions may hold it back a moment longer.
      let page = held;
      const came = await eventually(async () => {
        page = await remote.pull(notes, null, 100);
        return page.rows.length > 0;
      }, 15_000);
      expect(came).toBe(true);
      expect(page.rows.map((pulled) => pulled.id)).toEqual([row.id]);
      expect(page).not.toHaveProperty('held_back');
      expect(await remote.pull(notes, page.cursor, 100)).toEqual({ rows: [], cursor: page.cursor, has_more: false });
    } finally {
      await open.end();
    }
  });
});
