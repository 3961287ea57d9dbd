import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '@equinox-sync/local-cloud';
import { compileServerSchema } from '../../src/server/index.js';
import { awaitInSync, deviceRemote, pullAll, uniqueTenant } from '../../src/testing/index.js';
import {
  backupCloud,
  cleanWorkDir,
  LINKS,
  newDataDir,
  NOTES,
  openRecoveryDevice,
  recoveryPlugin,
  restoreCloud,
  restoreIntoOtherCluster,
  spendTransactionIds,
  superuserRows,
  wipeCloud,
  withAdmin,
  type RecoveryDevice,
} from './recovery-kit.js';

// This file restores and wipes its cloud's database, so it runs its own cloud, not the shared one.
let cloud: LocalCloud;
const migration = compileServerSchema([recoveryPlugin]);

beforeAll(async () => {
  cloud = await startLocalCloud({ dataDir: newDataDir() });
  await cloud.applySql(migration);
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  cleanWorkDir();
});

/** Writes a note and the next link of the device's own chain. */
function write(device: RecoveryDevice, label: string): { note: string } {
  const scoped = device.store.forPlugin('recovery');
  const note = String(scoped.insert(NOTES, { body: `${device.name} ${label}` }).id);
  const position = scoped.query(LINKS, { chain: device.name }).length + 1;
  scoped.insert(LINKS, { chain: device.name, position, body: `${device.name} link ${position}` });
  return { note };
}

function edit(device: RecoveryDevice, id: string, body: string): void {
  device.store.forPlugin('recovery').update(NOTES, id, { body });
}

function local(device: RecoveryDevice, table: string, columns: readonly string[]): Record<string, unknown>[] {
  return device.store
    .forPlugin('recovery')
    .query(table, {}, { includeDeleted: true })
    .map((row) => Object.fromEntries(columns.map((column) => [column, row[column]])))
    .sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
}

/** Syncs both devices until each has nothing pending and they hold the same rows (a recovery's repairs take a few runs). */
async function syncAll(devices: readonly RecoveryDevice[]): Promise<void> {
  await awaitInSync(devices, { timeoutMs: 30_000 });
}

/** The cloud holds every row at its latest version, each link of each chain once and in order, and both devices agree with it. */
async function expectWhole(tenant: string, till: RecoveryDevice, office: RecoveryDevice, expected: { notes: number; links: Record<string, number> }): Promise<void> {
  const noteColumns = ['id', 'body', 'updated_at', 'deleted'];
  const linkColumns = ['id', 'chain', 'position', 'body'];
  const notes = (await superuserRows(cloud, NOTES, tenant)).map((row) => Object.fromEntries(noteColumns.map((column) => [column, row[column]])));
  const links = await superuserRows(cloud, LINKS, tenant);
  expect(notes).toHaveLength(expected.notes);
  expect(local(till, NOTES, noteColumns)).toEqual(notes);
  expect(local(office, NOTES, noteColumns)).toEqual(notes);
  for (const [chain, count] of Object.entries(expected.links)) {
    const chainLinks = links.filter((row) => row.chain === chain).sort((a, b) => Number(a.position) - Number(b.position));
    expect(chainLinks.map((row) => Number(row.position))).toEqual(Array.from({ length: count }, (_, index) => index + 1));
    // In chain order in the cloud too: each link's version is above the one before it.
    const versions = chainLinks.map((row) => BigInt(String(row.server_version)));
    expect(versions.every((version, index) => index === 0 || version > versions[index - 1]!)).toBe(true);
  }
  expect(links).toHaveLength(Object.values(expected.links).reduce((sum, count) => sum + count, 0));
  // Integers come back from Postgres' bigint as text.
  const cloudLinks = links.map((row) => ({ ...Object.fromEntries(linkColumns.map((column) => [column, row[column]])), position: Number(row.position) }));
  expect(local(till, LINKS, linkColumns)).toEqual(cloudLinks);
  expect(local(office, LINKS, linkColumns)).toEqual(cloudLinks);
  for (const device of [till, office]) {
    expect(device.engine.status.failed).toEqual([]);
    expect(device.store.pendingUploads()).toBe(0);
  }
}

/** Two devices write and sync; the cloud loses what came after the first round; both sync again. */
async function scenario(lose: (tenant: string) => Promise<() => Promise<void>>, cause: string): Promise<void> {
  const tenant = uniqueTenant('recovery');
  const till = await openRecoveryDevice(cloud, tenant, 'till');
  const office = await openRecoveryDevice(cloud, tenant, 'office');
  try {
    const first = [write(till, 'one'), write(till, 'two'), write(office, 'three')];
    await syncAll([till, office]);
    const restore = await lose(tenant);

    // After the backup: edits of rows from before it, new rows and new links on both devices.
    edit(till, first[2]!.note, 'office three, edited on the till');
    edit(office, first[0]!.note, 'till one, edited in the office');
    write(till, 'four');
    write(till, 'five');
    write(office, 'six');
    await syncAll([till, office]);
    expect(await superuserRows(cloud, NOTES, tenant)).toHaveLength(6);

    await restore();
    await syncAll([till, office]);

    await expectWhole(tenant, till, office, { notes: 6, links: { till: 4, office: 2 } });
    expect(till.recoveries.map((report) => report.cause)).toEqual([cause]);
    expect(office.recoveries.map((report) => report.cause)).toEqual([cause]);
    const edited = (await superuserRows(cloud, NOTES, tenant)).map((row) => row.body);
    expect(edited).toEqual(expect.arrayContaining(['office three, edited on the till', 'till one, edited in the office']));

    // Nothing left to repair: a reconcile of both tables finds both sides alike.
    const { tables } = await till.engine.reconcile();
    expect(tables.map(({ table, reuploaded, missingLocally }) => ({ table, reuploaded, missingLocally }))).toEqual([
      { table: NOTES, reuploaded: 0, missingLocally: 0 },
      { table: LINKS, reuploaded: 0, missingLocally: 0 },
    ]);
  } finally {
    await till.close();
    await office.close();
  }
}

describe('a lost or restored cloud loses nothing', () => {
  it('restored from an earlier backup: the devices notice the rewind and send what it lacks', async () => {
    await scenario(async () => {
      const backup = await backupCloud(cloud);
      return () => restoreCloud(cloud, backup);
    }, 'rewound');
  });

  it('wiped and migrated again: the devices notice the new epoch and send everything', async () => {
    await scenario(async () => () => wipeCloud(cloud, migration), 'replaced');
  });
});

describe('a cloud restored into another cluster', () => {
  it('its rows are re-stamped, and the devices miss no new write without a recovery: their cursors count versions the dump carried over', async () => {
    const tenant = uniqueTenant('moved');
    const till = await openRecoveryDevice(cloud, tenant, 'till');
    const office = await openRecoveryDevice(cloud, tenant, 'office');
    const other = await startLocalCloud({ dataDir: newDataDir() });
    try {
      await spendTransactionIds(cloud, 3_000);
      write(till, 'one');
      write(office, 'two');
      await syncAll([till, office]);

      await restoreIntoOtherCluster(cloud, other, migration);
      // Its rows carry the old cluster's txids, far ahead of this one's: re-stamped, a pull from the start sees them all.
      expect((await pullAll(await deviceRemote(tenant, 'office', { cloud: other, timeoutMs: 10_000 }), NOTES)).rows).toHaveLength(2);
      till.remote.target = await deviceRemote(tenant, 'till', { cloud: other, timeoutMs: 10_000 });
      office.remote.target = await deviceRemote(tenant, 'office', { cloud: other, timeoutMs: 10_000 });

      write(till, 'three');
      await syncAll([till, office]);
      // Pull cursors are server versions, whose sequence the dump carried over: 'three' takes
      // a version above every cursor, though the new cluster's transaction ids are far behind.
      expect(till.recoveries).toEqual([]);
      expect(office.recoveries).toEqual([]);
      expect(local(office, NOTES, ['body']).map((row) => row.body).sort()).toEqual(['office two', 'till one', 'till three']);
      expect(await superuserRows(other, NOTES, tenant)).toHaveLength(3);
    } finally {
      await till.close();
      await office.close();
      await other.stop();
    }
  });
});


describe('reconcile', () => {
  it('finds rows the cloud lost without a rewind (removed by hand) and sends them again, one table or all', async () => {
    const tenant = uniqueTenant('reconcile');
    const till = await openRecoveryDevice(cloud, tenant, 'till');
    const office = await openRecoveryDevice(cloud, tenant, 'office');
    try {
      const { note } = write(till, 'one');
      write(till, 'two');
      write(office, 'three');
      await syncAll([till, office]);
      // Lost behind everyone's back: no epoch, no high-water mark says so.
      await withAdmin(cloud, async (client) => {
        await client.query(`alter table public.${NOTES} disable trigger user`);
        await client.query(`delete from public.${NOTES} where tenant_id = $1 and id = $2`, [tenant, note]);
        await client.query(`alter table public.${NOTES} enable trigger user`);
        await client.query(`alter table public.${LINKS} disable trigger user`);
        await client.query(`delete from public.${LINKS} where tenant_id = $1 and chain = 'till' and position = 2`, [tenant]);
        await client.query(`alter table public.${LINKS} enable trigger user`);
      });
      await cloud.applySql(migration); // sets each trigger's mode back as the migration makes it

      const notesOnly = await till.engine.reconcile({ table: NOTES });
      expect(notesOnly.tables).toEqual([{ table: NOTES, checked: 3, reuploaded: 1, missingLocally: 0, notReuploaded: 0 }]);
      // The office holds the till's lost link too, but leaves it to the till: an append-only row is its writer's to send.
      const fromOffice = await office.engine.reconcile({ table: LINKS });
      expect(fromOffice.tables).toEqual([{ table: LINKS, checked: 3, reuploaded: 0, missingLocally: 0, notReuploaded: 1 }]);
      const all = await till.engine.reconcile();
      expect(all.tables.map(({ table, reuploaded }) => ({ table, reuploaded }))).toEqual([
        { table: NOTES, reuploaded: 0 },
        { table: LINKS, reuploaded: 1 },
      ]);
      await syncAll([till, office]);
      await expectWhole(tenant, till, office, { notes: 3, links: { till: 2, office: 1 } });
      await expect(till.engine.reconcile({ table: 'nope' })).rejects.toThrow('table "nope" is not a synced table of this device');
    } finally {
      await till.close();
      await office.close();
    }
  });
});
