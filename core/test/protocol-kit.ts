import type { TestCloud } from '@equinox-sync/local-cloud/testing';
import { definePlugin, formatHlc, newRecordId, type PluginDeclaration, type PluginDefinition, type Row } from '../src/index.js';
import { installCloudSchema } from '../src/testing/index.js';

// Helpers for the tests that speak the protocol without an engine: rows as a device
// sends them. Devices, tokens, pulls and REST clients are the shared kit's (src/testing).

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
