// Embedding equinox-sync in an app. Run it with `node examples/embedding.mjs` after `npm ci`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distinctUntilChanged, map } from 'rxjs';
import { compileServerSchema } from '@equinox-sync/core/server';
import { createHost } from '@equinox-sync/host';
import { applySql, deviceClaims, startLocalCloud } from '@equinox-sync/local-cloud';

const cloud = await startLocalCloud(); // a real Supabase-compatible cloud on this machine
const host = await createHost({
  config: {
    tenantId: 'store-1',
    deviceId: 'till-1',
    dbPath: join(mkdtempSync(join(tmpdir(), 'equinox-')), 'till-1.db'),
    // The device's token names its tenant and itself (app_metadata), as a real project's device user does.
    supabase: { url: cloud.url, key: cloud.anonKey, accessToken: await cloud.mintToken(deviceClaims({ tenant: 'store-1', device: 'till-1' })) },
    plugins: [fileURLToPath(new URL('./plugin-clients', import.meta.url))],
  },
});
await applySql(cloud, compileServerSchema(host.definitions())); // once per deploy: `equinox cloud sql`
host.status$.pipe(map((s) => s.pendingUploads), distinctUntilChanged()).subscribe((n) => console.log(`pending uploads: ${n}`));
await host.start();

host.store('@acme/equinox-clients').insert('clients', { name: 'Ada', email: 'ada@example.com' });
console.log(await host.syncNow()); // { uploaded: 1, downloaded: 0, conflicts: 0, rejected: 0, ..., error: null }

await host.dispose();
await cloud.stop();
