import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { definePlugin, formatHlc, LocalStore, MAX_SAFE_INTEGER, type TableDeclaration } from '@equinox-sync/core';
import { tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { deviceConfig, equinox, writePlugin } from '../../test/host-kit.js';

const cloud = inject('cloud');

/** A plugin of the device's config, with an integer column a pulled row can overflow. */
const PLUGIN = '@acme/equinox-meters';
const METERS: TableDeclaration = { name: 'status_meters', columns: { label: { type: 'text' }, reading: { type: 'integer' } }, strategy: 'LastWriteWins' };

describe('equinox status', () => {
  it('lists quarantined rows with their reasons and why uploads are paused, for people and as JSON', async () => {
    const tenant = uniqueTenant('cli-quarantine');
    const dir = tempDir('status');
    const pluginDir = writePlugin(dir, 'meters', { name: PLUGIN, version: '1.0.0', equinox: { engines: { equinox: '^0.1.0' }, contributes: { tables: [METERS] } } });
    const config = await deviceConfig(cloud, { tenant, device: 'till', dir, plugins: [pluginDir] });
    const file = join(dir, 'equinox.config.json');
    writeFileSync(file, JSON.stringify(config));
    // What an earlier run left in this database: a pulled row it set aside, and a paused upload.
    const store = LocalStore.open({ path: String(config.dbPath), plugins: [definePlugin({ name: PLUGIN, version: '1.0.0', tables: [METERS] })], tenantId: tenant, deviceId: 'till' });
    const row = { id: 'm-huge', tenant_id: tenant, updated_at: formatHlc({ wallMs: Date.now(), counter: 0, deviceId: 'office' }), deleted: false, label: 'Huge', reading: 2 ** 60, server_version: 41 };
    expect(store.applyRemote('status_meters', [row])).toMatchObject({ quarantined: 1 });
    store.recordUploadsPaused('uploads paused: the cloud refused this device (EQ402)');
    store.close();

    const reason = `column "reading": must be an integer within ±${MAX_SAFE_INTEGER} (22003)`;
    const { json, exit } = await equinox(['status', '--config', file, '--json']);
    expect(exit).toBe(0);
    expect(json).toMatchObject({
      uploadsPaused: 'uploads paused: the cloud refused this device (EQ402)',
      quarantined: [{ table: 'status_meters', id: 'm-huge', reason, receivedAt: expect.any(Number) }],
    });

    const human = await equinox(['status', '--config', file]);
    expect(human.exit).toBe(0);
    expect(human.stdout).toContain('uploads          paused: the cloud refused this device (EQ402)');
    expect(human.stdout).toContain('quarantined      1 (pulled rows this device could not take)');
    expect(human.stdout).toMatch(new RegExp(`  status_meters m-huge: ${reason.replace(/[()±]/g, '.')} \\(received \\d{4}-\\d\\d-\\d\\dT`));
  });
});
