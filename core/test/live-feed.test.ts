import { createClient } from '@supabase/supabase-js';
import ws from 'ws';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { definePlugin, SupabaseRemote, type LiveFeed } from '../src/index.js';
import { deviceToken, eventually, installCloudSchema, sleep, uniqueSuffix, uniqueTenant } from '../src/testing/index.js';

// SupabaseRemote's live feed against the local cloud's Realtime, without an engine.

const cloud = inject('cloud');

/** Every value `joined$` took. */
function joinedValues(feed: LiveFeed): boolean[] {
  const values: boolean[] = [];
  feed.joined$.subscribe((joined) => values.push(joined));
  return values;
}

describe("a remote's live feed", () => {
  // The migration installs the channel policy.
  beforeAll(() =>
    installCloudSchema([
      definePlugin({ name: 'feed-test', version: '1.0.0', tables: [{ name: `feed_notes_${uniqueSuffix()}`, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }] }),
    ]),
  );

  it('is refused with a token of another tenant, asks again with backoff, and joins once the token is right', async () => {
    const tenant = uniqueTenant('feed');
    let token = await deviceToken(uniqueTenant('feed-other'), 'till-1');
    let asked = 0;
    const remote = new SupabaseRemote(
      { url: cloud.url, key: cloud.anonKey, accessToken: async () => ((asked += 1), token) },
      { liveRetry: { baseMs: 100, maxMs: 200 } },
    );
    const feed = remote.listen(tenant);
    try {
      const joined = joinedValues(feed);
      await sleep(1_500);
      expect(joined).toEqual([false]);
      // Asked again now and then (one token per try), not in a loop.
      expect(asked).toBeGreaterThanOrEqual(3);
      expect(asked).toBeLessThan(30);

      token = await deviceToken(tenant, 'till-1');
      expect(await eventually(() => joined.at(-1) === true, 10_000)).toBe(true);
    } finally {
      await feed.close();
    }
  });

  it("closes its socket on close, but not one the client's owner still uses", async () => {
    const tenant = uniqueTenant('feed-close');
    const token = await deviceToken(tenant, 'till-1');
    const client = createClient(cloud.url, cloud.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: ws as never },
      accessToken: async () => token,
    });
    const remote = new SupabaseRemote(client);

    const alone = remote.listen(tenant);
    const values = joinedValues(alone);
    expect(await eventually(() => values.at(-1) === true, 10_000)).toBe(true);
    let completed = false;
    alone.joined$.subscribe({ complete: () => (completed = true) });
    await alone.close();
    expect(completed).toBe(true);
    expect(values.at(-1)).toBe(false);
    expect(client.getChannels()).toEqual([]);
    expect(client.realtime.isConnected()).toBe(false);

    // The app's own channel on the same client keeps the socket open.
    const own = client.channel(`app:${tenant}`, { config: { private: true } }).subscribe();
    const shared = remote.listen(tenant);
    const again = joinedValues(shared);
    expect(await eventually(() => again.at(-1) === true, 10_000)).toBe(true);
    await shared.close();
    expect(client.getChannels()).toEqual([own]);
    expect(client.realtime.isConnected()).toBe(true);
    await client.removeAllChannels();
  });
});
