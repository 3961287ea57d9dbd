import { formatHlc } from '../../src/index.js';
import { testCloud, withSuperuser } from '../../src/testing/index.js';

const cloud = testCloud();

/** A clock value as a back office writing through REST would set it: later than any before. */
export function backOfficeClock(): string {
  return formatHlc({ wallMs: Date.now(), counter: 0, deviceId: 'backoffice' });
}

/** Runs one statement as the cloud's superuser (what a hand-edited or older cloud could hold). */
export async function asSuperuser(sql: string, values: unknown[] = []): Promise<void> {
  await withSuperuser((client) => client.query(sql, values));
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
