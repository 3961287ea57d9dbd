import { describe, expect, it } from 'vitest';
import { settingsPlugin } from './index.js';

describe('settings plugin declaration', () => {
  it('lets the cloud win settings and keeps licences download-only', () => {
    const tables = Object.fromEntries(settingsPlugin.tables.map((t) => [t.name, t]));
    expect(tables.settings?.strategy).toBe('RemoteWins');
    expect(tables.settings?.indexes).toEqual([{ columns: ['scope', 'device_id', 'key'], unique: true }]);
    expect(tables.licenses?.direction).toBe('download-only');
    expect(tables.licenses?.columns.map((c) => c.name)).toEqual(['plan', 'valid_until', 'max_devices', 'features']);
  });
});
