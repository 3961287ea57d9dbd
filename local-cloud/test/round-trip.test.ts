import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applySql } from '../src/index.js';
import { supabaseClient } from './supabase-client.js';

const cloud = inject('cloud');
const table = `lc_notes_${randomUUID().slice(0, 8)}`;

describe('supabase-js through the gateway', () => {
  beforeAll(async () => {
    await applySql(cloud, `create table public.${table} (id text primary key, body text not null, n int)`);
  });

  it('inserts, upserts and selects rows', async () => {
    const supabase = supabaseClient(cloud.url, cloud.serviceKey);
    const inserted = await supabase.from(table).insert([{ id: 'a', body: 'first', n: 1 }, { id: 'b', body: 'second', n: 2 }]).select();
    expect(inserted.error).toBeNull();
    expect(inserted.data).toHaveLength(2);

    const upserted = await supabase.from(table).upsert([{ id: 'a', body: 'changed', n: 10 }, { id: 'c', body: 'third', n: 3 }]).select();
    expect(upserted.error).toBeNull();

    const selected = await supabase.from(table).select('id, body, n').order('id');
    expect(selected.error).toBeNull();
    expect(selected.data).toEqual([
      { id: 'a', body: 'changed', n: 10 },
      { id: 'b', body: 'second', n: 2 },
      { id: 'c', body: 'third', n: 3 },
    ]);
  });

  it('reports a Postgres error with its code', async () => {
    const supabase = supabaseClient(cloud.url, cloud.serviceKey);
    const { error } = await supabase.from(table).insert({ id: 'x' });
    expect(error?.code).toBe('23502');
  });

  it('answers the health path', async () => {
    const response = await fetch(`${cloud.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
