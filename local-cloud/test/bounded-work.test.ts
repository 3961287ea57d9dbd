import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applySql, deviceClaims, TokenMinter } from '../src/index.js';
import { supabaseClient } from './supabase-client.js';

const cloud = inject('cloud');
const suffix = randomUUID().slice(0, 8);
const sleep = `lc_sleep_${suffix}`;
const timeout = `lc_statement_timeout_${suffix}`;
const length = `lc_body_length_${suffix}`;
const MiB = 1024 * 1024;

async function deviceToken(): Promise<string> {
  return new TokenMinter(cloud.jwtSecret).mint(deviceClaims({ tenant: `bounded-${suffix}`, device: 'till-1' }));
}

/** Calls `fn` as a device (with `token`) or as the anon key alone; the answer and how long it took. */
async function timedRpc(fn: string, args: object, token?: string): Promise<{ code: string | undefined; message: string | undefined; ms: number }> {
  const started = Date.now();
  const { error } = await supabaseClient(cloud.url, cloud.anonKey, token).rpc(fn, args);
  return { code: error?.code, message: error?.message, ms: Date.now() - started };
}

describe("the local cloud bounds a request's work as Supabase does", () => {
  beforeAll(async () => {
    await applySql(
      cloud,
      `create function public.${sleep}(p_seconds double precision) returns void language sql as $$ select pg_sleep(p_seconds) $$;
       create function public.${timeout}() returns text language sql stable as $$ select current_setting('statement_timeout') $$;
       create function public.${length}(p_body text) returns integer language sql immutable as $$ select octet_length(p_body) $$;`,
    );
  });

  afterAll(async () => {
    await applySql(cloud, `drop function if exists public.${sleep}; drop function if exists public.${timeout}; drop function if exists public.${length};`);
  });

  it('runs each API role under its statement timeout: anon 3 s, authenticated 8 s, service_role none', async () => {
    const read = async (key: string, token?: string): Promise<unknown> => (await supabaseClient(cloud.url, key, token).rpc(timeout)).data;
    expect(await read(cloud.anonKey)).toBe('3s');
    expect(await read(cloud.anonKey, await deviceToken())).toBe('8s');
    expect(await read(cloud.serviceKey)).toBe('0');
  });

  it('cancels a device statement after 8 s and an anonymous one after 3 s (57014)', { timeout: 30_000 }, async () => {
    const [device, anonymous] = await Promise.all([timedRpc(sleep, { p_seconds: 9 }, await deviceToken()), timedRpc(sleep, { p_seconds: 4 })]);
    expect(device.code).toBe('57014');
    expect(device.message).toContain('statement timeout');
    expect(device.ms).toBeGreaterThanOrEqual(7_500);
    expect(device.ms).toBeLessThan(9_000);
    expect(anonymous.code).toBe('57014');
    expect(anonymous.ms).toBeGreaterThanOrEqual(2_500);
    expect(anonymous.ms).toBeLessThan(4_000);
  });

  it('passes a body just under 4 MiB on to PostgREST', async () => {
    const body = 'x'.repeat(4 * MiB - 64);
    const { data, error } = await supabaseClient(cloud.url, cloud.anonKey, await deviceToken()).rpc(length, { p_body: body });
    expect(error).toBeNull();
    expect(data).toBe(body.length);
  });

  it('answers 413 with a PostgREST-like error to a body over 4 MiB, declared or chunked', async () => {
    const tooLarge = 'x'.repeat(4 * MiB + 1);
    const { error, status } = await supabaseClient(cloud.url, cloud.anonKey, await deviceToken()).rpc(length, { p_body: tooLarge });
    expect(status).toBe(413);
    expect(error).toMatchObject({ code: '413', message: 'Payload Too Large', hint: expect.stringContaining('fewer') });
    expect(error?.details).toContain('4194304 bytes');

    // No Content-Length: the gateway counts the bytes as they stream and stops at the cap.
    let sent = 0;
    const chunks = async function* (): AsyncGenerator<Buffer> {
      for (;;) {
        sent += 64 * 1024;
        yield Buffer.alloc(64 * 1024, 0x20);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const chunked = await fetch(`${cloud.url}/rest/v1/rpc/${length}`, {
      method: 'POST',
      headers: { apikey: cloud.anonKey, 'content-type': 'application/json' },
      body: Readable.from(chunks()) as unknown as NonNullable<RequestInit['body']>,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toMatchObject({ code: '413', message: 'Payload Too Large' });
    expect(sent).toBeLessThan(16 * MiB);

    // The gateway serves the next request as usual.
    const { error: after } = await supabaseClient(cloud.url, cloud.anonKey).rpc(length, { p_body: 'small' });
    expect(after).toBeNull();
  });
});
