import { randomUUID } from 'node:crypto';
import { applySql, TokenMinter } from '@equinox-sync/local-cloud';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { v7 as uuidv7 } from 'uuid';
import ws from 'ws';
import {
  compileServerSchema,
  definePlugin,
  SupabaseRemote,
  type PluginDeclaration,
  type PluginDefinition,
  type PullCursor,
  type RemoteStore,
  type Row,
} from '../src/index.js';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';

/** The coordinates the root global setup provides as `inject('cloud')`. */
export type Cloud = TestCloud;

/** A table name no other test file uses: every file shares one database. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
}

/** A tenant id no other test uses. */
export function uniqueTenant(label: string): string {
  return `${label}-${randomUUID()}`;
}

/** An HLC string as the device clock writes it: wall ms, counter, device id. */
export function hlc(wallMs: number, counter: number, device: string): string {
  return `${String(wallMs).padStart(13, '0')}-${String(counter).padStart(4, '0')}-${device}`;
}

/** A row with the system columns filled in; `fields` are the declared columns. */
export function newRow(tenant: string, fields: Row, updatedAt = hlc(Date.now(), 0, 'dev1')): Row {
  return { id: uuidv7(), tenant_id: tenant, updated_at: updatedAt, deleted: false, ...fields };
}

/** Compiles the declaration and applies it to the local cloud, as a deploy would. */
export async function installPlugin(cloud: Cloud, declaration: PluginDeclaration): Promise<PluginDefinition> {
  const plugin = definePlugin(declaration);
  await applySql(cloud, compileServerSchema([plugin]));
  return plugin;
}

/** A device's token: role `authenticated`, with the tenant claim RLS keys on and the device's id (default `dev1`, as in {@link newRow}). */
export function deviceToken(cloud: Cloud, tenant: string, device = 'dev1'): Promise<string> {
  return new TokenMinter(cloud.jwtSecret).mint({ tenant_id: tenant, device_id: device });
}

/** The remote a device of `tenant` uses: the anon key plus a user token. */
export async function deviceRemote(cloud: Cloud, tenant: string): Promise<SupabaseRemote> {
  return new SupabaseRemote({ url: cloud.url, key: cloud.anonKey, accessToken: await deviceToken(cloud, tenant) });
}

/** A plain supabase-js client, for REST access around the protocol. */
export function restClient(cloud: Cloud, key: string, accessToken?: string): SupabaseClient {
  return createClient(cloud.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as never },
    ...(accessToken === undefined ? {} : { accessToken: async () => accessToken }),
  });
}

/** Every row a pull delivered, page by page, and where it stopped. */
export interface Pulled {
  readonly rows: Row[];
  readonly pages: number;
  readonly cursor: PullCursor | null;
}

/**
 * Pulls page after page until the cloud says there is no more. Other test files commit
 * into the same database at the same time, and an open transaction anywhere holds the
 * snapshot horizon back, so rows may arrive a moment late: `until` keeps pulling (from
 * where it stopped, never re-reading) until it holds, for at most `timeoutMs`.
 */
export async function pullAll(
  remote: RemoteStore,
  table: string,
  options: { cursor?: PullCursor | null; limit?: number; until?: (rows: readonly Row[]) => boolean; timeoutMs?: number } = {},
): Promise<Pulled> {
  const rows: Row[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let cursor = options.cursor ?? null;
  let pages = 0;
  for (;;) {
    const page = await remote.pull(table, cursor, options.limit ?? 1000);
    pages += 1;
    rows.push(...page.rows);
    cursor = page.cursor;
    if (page.has_more) continue;
    if (options.until === undefined || options.until(rows) || Date.now() > deadline) return { rows, pages, cursor };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether every id in `ids` is among `rows`. */
export function hasIds(ids: readonly unknown[]): (rows: readonly Row[]) => boolean {
  return (rows) => {
    const seen = new Set(rows.map((row) => row.id));
    return ids.every((id) => seen.has(id));
  };
}
