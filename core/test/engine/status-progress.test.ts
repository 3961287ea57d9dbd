import { describe, expect, it } from 'vitest';
import { definePlugin, type SyncStatus } from '../../src/index.js';
import { installCloudSchema, openDevice, uniqueTenant } from '../../src/testing/index.js';

const plugin = definePlugin({
  name: 'status-progress',
  version: '1.0.0',
  tables: [{ name: 'status_progress_notes', columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }],
});

describe('status$ during an upload', () => {
  it("moves the queue depth with the progress: what is left to upload, never a stale 0", async () => {
    await installCloudSchema([plugin]);
    const device = await openDevice({ name: 'till', tenant: uniqueTenant('status-progress'), plugins: [plugin], sync: { batchSize: 2 } });
    for (const body of ['a', 'b', 'c', 'd', 'e']) device.store.forPlugin('status-progress').insert('status_progress_notes', { body });
    const seen: SyncStatus[] = [];
    const watching = device.engine.status$.subscribe((status) => seen.push(status));
    try {
      expect((await device.engine.syncNow()).uploaded).toBe(5);
    } finally {
      watching.unsubscribe();
    }
    const uploading = seen.filter((status) => status.progress?.phase === 'upload');
    expect(uploading.length).toBeGreaterThan(1);
    for (const status of uploading) {
      const { done, total } = status.progress!;
      expect(status.pendingUploads, `at ${done}/${total}`).toBe(total - done);
    }
    expect(device.engine.status.pendingUploads).toBe(0);
  });
});
