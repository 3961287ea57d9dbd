import { definePlugin } from '@equinox-sync/core';

/**
 * Settings are owned by the back office, so the cloud wins a disagreement; licences are
 * written only in the cloud and read by devices.
 */
export const settingsPlugin = definePlugin({
  name: '@equinox-sync/plugin-settings',
  version: '0.1.0',
  tables: [
    {
      name: 'settings',
      columns: {
        key: { type: 'text', nullable: false },
        value: { type: 'json' },
        scope: { type: 'text', nullable: false, default: 'tenant' },
        // '' rather than NULL for tenant-wide settings: NULLs never collide in a unique key.
        device_id: { type: 'text', nullable: false, default: '' },
      },
      indexes: [{ columns: ['scope', 'device_id', 'key'], unique: true }],
      strategy: 'RemoteWins',
    },
    {
      name: 'licenses',
      columns: {
        plan: { type: 'text', nullable: false },
        valid_until: { type: 'timestamp', nullable: false },
        max_devices: { type: 'integer', nullable: false },
        features: { type: 'json' },
      },
      strategy: 'RemoteWins',
      direction: 'download-only',
    },
  ],
});
