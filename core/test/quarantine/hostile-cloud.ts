import pg from 'pg';
import type { Device } from '../engine/devices.js';
import { cloud } from '../engine/devices.js';

/** A clock value as a back office writing through REST would set it: later than any before. */
export function backOfficeClock(): string {
  return `${String(Date.now()).padStart(13, '0')}-000000-backoffice`;
}

/** Runs SQL as the cloud's superuser (what a hand-edited or older cloud could hold). */
export async function asSuperuser(sql: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: cloud.adminPgUrl });
  await client.connect();
  try {
    await client.query(sql, values);
  } finally {
    await client.end();
  }
}

/**
 * Drops the cloud's limit checks of one table (this file's own): the state of a cloud an
 * older migration made, or one a newer peer's plugin version widened, so rows a device
 * cannot take can be written at all.
 */
export async function dropCloudChecks(table: string): Promise<void> {
  await asSuperuser(`do $$
    declare c record;
    begin
      for c in select conname from pg_catalog.pg_constraint where conrelid = 'public.${table}'::regclass and contype = 'c' loop
        execute format('alter table public.%I drop constraint %I', '${table}', c.conname);
      end loop;
    end $$;`);
}

/**
 * Writes rows through REST with the service key, the body given as JSON text so values no
 * JavaScript number or parser could carry (2^60, 5,000 levels deep) go exactly as written.
 */
export async function restWrite(table: string, rowsJson: string[], method: 'POST' | 'PATCH' = 'POST', filter = ''): Promise<void> {
  // One request per row: a bulk insert wants every object to have the same keys.
  for (const body of rowsJson) {
    const response = await fetch(`${cloud.url}/rest/v1/${table}${filter}`, {
      method,
      headers: {
        apikey: cloud.serviceKey,
        authorization: `Bearer ${cloud.serviceKey}`,
        'content-type': 'application/json',
        prefer: 'return=minimal',
      },
      body,
    });
    if (!response.ok) throw new Error(`REST ${method} ${table}: HTTP ${response.status} ${await response.text()}`);
  }
}

/**
 * Syncs until `done` holds: a row committed a moment ago may reach the pull a run later
 * (other test files keep transactions open in the same cloud). Every run must succeed.
 */
export async function syncUntil(device: Device, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await device.engine.syncNow();
    if (run.error !== null) throw new Error(`sync failed: ${run.error}`);
    if (done()) return;
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
