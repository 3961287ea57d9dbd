import type { TestCloud } from '@equinox-sync/local-cloud/testing';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';
import { definePlugin, formatHlc, newRecordId, type PluginDeclaration, type PluginDefinition, type Row } from '../src/index.js';
import { installCloudSchema } from '../src/testing/index.js';

// Helpers for the tests that speak the protocol without an engine: rows as a device
// sends them, and the cloud reached over REST. Devices, tokens and pulls are the shared
// kit's (src/testing).

/** An HLC string as the device clock writes it (`formatHlc`), from positional parts. */
export function hlc(wallMs: number, counter: number, device: string): string {
  return formatHlc({ wallMs, counter, deviceId: device });
}

/** A row with the system columns filled in; `fields` are the declared columns. */
export function newRow(tenant: string, fields: Row, updatedAt = hlc(Date.now(), 0, 'dev1')): Row {
  return { id: newRecordId(), tenant_id: tenant, updated_at: updatedAt, deleted: false, ...fields };
}

/** Compiles the declaration and applies it to the local cloud, as a deploy would. */
export async function installPlugin(cloud: TestCloud, declaration: PluginDeclaration): Promise<PluginDefinition> {
  const plugin = definePlugin(declaration);
  await installCloudSchema([plugin], cloud);
  return plugin;
}

/** A plain supabase-js client, for REST access around the protocol. */
export function restClient(cloud: TestCloud, key: string, accessToken?: string): SupabaseClient {
  return createClient(cloud.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as never },
    ...(accessToken === undefined ? {} : { accessToken: async () => accessToken }),
  });
}
