import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudRows, eventually, installCloudSchema, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientsPlugin } from '../../examples/plugin-clients/index.js';
import { deviceConfig, equinox, EXAMPLE_PLUGIN_DIR, offlineConfig, type CommandRun } from './host-kit.js';

const cloud = inject('cloud');

interface Client {
  id: string;
  name: string;
  tax_id: string | null;
  email: string | null;
  phone: string | null;
}

/** A till of `tenant` against the local cloud with the clients plugin: its config file, as `--config` takes it. */
async function till(tenant: string, device: string, dir: string): Promise<string> {
  const file = join(dir, `${device}.json`);
  writeFileSync(file, JSON.stringify(await deviceConfig(cloud, { tenant, device, dir, plugins: [EXAMPLE_PLUGIN_DIR] })));
  return file;
}

/** `equinox ...args --config file`, in this process; fails the test on a non-zero exit. */
async function ok(file: string, ...args: string[]): Promise<CommandRun> {
  const run = await equinox([...args, '--config', file]);
  expect(run.exit, `equinox ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run;
}

/** Runs `equinox sync` on a till until `done` holds: a row committed a moment ago may reach the pull a run later. */
async function syncUntil(file: string, done: () => Promise<boolean>): Promise<void> {
  const held = await eventually(async () => {
    await ok(file, 'sync', '--json');
    return done();
  }, 15_000);
  expect(held).toBe(true);
}

async function clientsOn(file: string): Promise<Client[]> {
  return (await ok(file, 'clients', 'list', '--json')).json as Client[];
}

describe('the example clients plugin on two tills: edit, conflicts and held deletes from the command line', () => {
  beforeAll(() => installCloudSchema([clientsPlugin]));

  it('clients edit on both tills before either syncs: the second till finds both versions in equinox conflicts list', async () => {
    const dir = tempDir('clients-edit');
    const tenant = uniqueTenant('clients-edit');
    const [tillA, tillB] = [await till(tenant, 'till-a', dir), await till(tenant, 'till-b', dir)];

    const ada = (await ok(tillA, 'clients', 'add', '--name', '"Ada Lovelace"', '--email', 'ada@example.com', '--phone', '600000001', '--json')).json as Client;
    expect((await ok(tillA, 'sync', '--json')).json).toMatchObject({ uploaded: 1 });
    await syncUntil(tillB, async () => (await clientsOn(tillB)).some((client) => client.id === ada.id));

    const editA = await ok(tillA, 'clients', 'edit', ada.id, '--phone', '600000002');
    expect(editA.stdout).toBe(`Updated client Ada Lovelace (${ada.id}).\n`);
    const editB = await ok(tillB, 'clients', 'edit', ada.id, '--email', 'ada@lovelace.org', '--json');
    expect(editB.json).toEqual({ ...ada, email: 'ada@lovelace.org' });

    expect((await ok(tillA, 'sync', '--json')).json).toMatchObject({ uploaded: 1, conflicts: 0 });
    await syncUntil(tillB, async () => ((await ok(tillB, 'conflicts', 'list', '--json')).json as unknown[]).length > 0);

    const conflicts = await ok(tillB, 'conflicts', 'list', '--json');
    expect(conflicts.json).toEqual([
      expect.objectContaining({
        table: 'clients',
        id: ada.id,
        local: expect.objectContaining({ phone: '600000001', email: 'ada@lovelace.org' }),
        remote: expect.objectContaining({ phone: '600000002', email: 'ada@example.com' }),
      }),
    ]);
    const human = await ok(tillB, 'conflicts', 'list');
    expect(human.stdout).toMatch(/│ clients +│ \S+ +│ email +│ ada@lovelace\.org +│ ada@example\.com +│/);
    expect(human.stdout).toMatch(/│ phone +│ 600000001 +│ 600000002 +│/);

    // Keeping till B's version settles it there, and the next syncs carry it to till A.
    await ok(tillB, 'conflicts', 'resolve', ada.id, '--pick', 'local');
    expect((await ok(tillB, 'conflicts', 'list')).stdout).toBe('No conflicts.\n');
    expect((await ok(tillB, 'sync', '--json')).json).toMatchObject({ uploaded: 1 });
    await syncUntil(tillA, async () => (await clientsOn(tillA)).some((client) => client.email === 'ada@lovelace.org'));
    expect(await clientsOn(tillA)).toEqual([{ ...ada, email: 'ada@lovelace.org', phone: '600000001' }]);
  });

  it('clients remove holds the delete: deletes list shows it and the cloud keeps the client until deletes confirm and a sync', async () => {
    const dir = tempDir('clients-remove');
    const tenant = uniqueTenant('clients-remove');
    const file = await till(tenant, 'till-a', dir);
    const alan = (await ok(file, 'clients', 'add', '--name', '"Alan Turing"', '--json')).json as Client;
    expect((await ok(file, 'sync', '--json')).json).toMatchObject({ uploaded: 1 });

    const removed = await ok(file, 'clients', 'remove', alan.id);
    expect(removed.stdout).toBe(`Removed client Alan Turing (${alan.id}) on this device; the cloud keeps it until you confirm: equinox deletes confirm ${alan.id}\n`);
    expect(await clientsOn(file)).toEqual([]);
    expect((await ok(file, 'deletes', 'list', '--json')).json).toEqual([expect.objectContaining({ table: 'clients', id: alan.id, row: expect.objectContaining({ name: 'Alan Turing' }) })]);
    expect((await ok(file, 'deletes', 'list')).stdout).toMatch(new RegExp(`│ clients +│ ${alan.id} +│ name=Alan Turing +│`));

    // Syncing uploads nothing: the cloud still has the client, live.
    expect((await ok(file, 'sync', '--json')).json).toMatchObject({ uploaded: 0 });
    expect(await cloudRows('clients', tenant, cloud)).toEqual([expect.objectContaining({ id: alan.id, name: 'Alan Turing', deleted: false })]);

    expect((await ok(file, 'deletes', 'confirm', alan.id, '--json')).json).toEqual({ confirmed: 1 });
    expect((await ok(file, 'sync', '--json')).json).toMatchObject({ uploaded: 1 });
    expect((await ok(file, 'deletes', 'list')).stdout).toBe('No deletes waiting for confirmation.\n');
    // The cloud keeps the row, marked deleted: sync never hard-deletes.
    expect(await cloudRows('clients', tenant, cloud)).toEqual([expect.objectContaining({ id: alan.id, deleted: true })]);
  });

  it('clients remove --json answers { id, held: true }', async () => {
    const file = join(tempDir('clients-remove-json'), 'till.json');
    writeFileSync(file, JSON.stringify(offlineConfig(join(file, '..'), [EXAMPLE_PLUGIN_DIR])));
    const grace = (await ok(file, 'clients', 'add', '--name', 'Grace', '--json')).json as Client;
    expect((await ok(file, 'clients', 'remove', grace.id, '--json')).json).toEqual({ id: grace.id, held: true });
    expect((await ok(file, 'deletes', 'list', '--json')).json).toEqual([expect.objectContaining({ id: grace.id })]);
  });

  it('bad input: no field or a bad email exits 2 naming the flags, an unknown id exits 1, and nothing changes', async () => {
    const file = join(tempDir('clients-edit-usage'), 'till.json');
    writeFileSync(file, JSON.stringify(offlineConfig(join(file, '..'), [EXAMPLE_PLUGIN_DIR])));
    const ada = (await ok(file, 'clients', 'add', '--name', 'Ada', '--email', 'ada@example.com', '--json')).json as Client;

    const noField = await equinox(['clients', 'edit', ada.id, '--config', file]);
    expect(noField.exit).toBe(2);
    expect(noField.stderr).toContain('give at least one field to change: --name, --email, --phone or --tax-id');
    expect(noField.stderr).toContain('See more help with --help');

    const badEmail = await equinox(['clients', 'edit', ada.id, '--email', 'ada-at-example', '--config', file]);
    expect(badEmail.exit).toBe(2);
    expect(badEmail.stderr).toContain('email "ada-at-example" is not valid');
    expect((await equinox(['clients', 'edit', '--phone', '1', '--config', file])).exit).toBe(2);
    expect((await equinox(['clients', 'remove', '--config', file])).exit).toBe(2);

    const missing = '0196f000-0000-7000-8000-000000000000';
    const unknownEdit = await equinox(['clients', 'edit', missing, '--phone', '1', '--config', file]);
    expect(unknownEdit.exit).toBe(1);
    expect(unknownEdit.stderr).toBe(`Error: no client ${missing} on this device\n`);
    const unknownRemove = await equinox(['clients', 'remove', missing, '--config', file]);
    expect(unknownRemove.exit).toBe(1);
    expect(unknownRemove.stderr).toBe(`Error: no client ${missing} on this device\n`);

    expect(await clientsOn(file)).toEqual([ada]);
    expect((await ok(file, 'deletes', 'list', '--json')).json).toEqual([]);
  });
});
