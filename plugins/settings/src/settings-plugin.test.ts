import { readFileSync } from 'node:fs';
import { parsePluginManifest } from '@equinox-sync/core/plugin';
import { describe, expect, it } from 'vitest';
import { activate, settingsPlugin } from './index.js';

describe('settings plugin declaration', () => {
  it('lets the cloud win settings and keeps licences download-only', () => {
    const tables = Object.fromEntries(settingsPlugin.tables.map((t) => [t.name, t]));
    expect(tables.settings?.strategy).toBe('RemoteWins');
    expect(tables.settings?.indexes).toEqual([{ columns: ['scope', 'device_id', 'key'], unique: true }]);
    expect(tables.licenses?.direction).toBe('download-only');
    expect(tables.licenses?.columns.map((c) => c.name)).toEqual(['plan', 'valid_until', 'max_devices', 'features']);
  });

  it('is declared in its package.json manifest, with an activate for the host', () => {
    const manifest = parsePluginManifest(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')));
    expect(manifest).toMatchObject({ name: settingsPlugin.name, engines: { equinox: '^0.1.0' }, activationEvents: ['onStartup'], main: './dist/index.js' });
    expect(manifest.definition.tables).toEqual(settingsPlugin.tables);
    expect(typeof activate).toBe('function');
  });
});
