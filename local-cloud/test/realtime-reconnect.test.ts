import type { SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, inject, it } from 'vitest';
import { deviceClaims, startLocalCloud, TokenMinter } from '../src/index.js';
import { disconnectRealtime } from '../src/testing/index.js';
import {
  broadcastOf,
  DatabaseSender,
  installTenantReadPolicy,
  realtimeClient,
  realtimeDevices,
  realtimeTenant,
  statusAfter,
  watchChannel,
  type WatchedChannel,
} from './realtime-kit.js';

const cloud = inject('cloud');
const tokens = new TokenMinter(cloud.jwtSecret);

/** Sends until the channel hears it: what is sent while the server reconnects is lost, as on Supabase. */
async function sendUntilHeard(sender: DatabaseSender, watched: WatchedChannel, topic: string, table: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!watched.broadcasts.some((message) => message.payload.table === table)) {
    if (Date.now() > deadline) throw new Error(`${table} was never heard on ${topic}`);
    await sender.send(topic, table);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('Realtime sockets and connections the local cloud loses', () => {
  const realtime = realtimeDevices(cloud);

  it('a socket the server closes reconnects, rejoins and hears later broadcasts', async () => {
    const tenant = realtimeTenant();
    const client = realtime.device(await tokens.mint(deviceClaims({ tenant })));
    const watched = watchChannel(client, `equinox:${tenant}`);
    await statusAfter(watched, 'SUBSCRIBED');

    expect(await disconnectRealtime(cloud, `equinox:${tenant}`)).toBe(1);

    const lost = await statusAfter(watched, 'CHANNEL_ERROR');
    expect(lost.error).toBeInstanceOf(Error);
    await statusAfter(watched, 'SUBSCRIBED', watched.statuses.indexOf(lost));
    await realtime.sender.send(`equinox:${tenant}`, 'after-reconnect');
    await broadcastOf(watched, 'after-reconnect');
  });
});

describe('Realtime across a Postgres restart', () => {
  it('keeps broadcasting and authorising once Postgres is back', { timeout: 120_000 }, async () => {
    const own = await startLocalCloud();
    const ownClients: SupabaseClient[] = [];
    try {
      await installTenantReadPolicy(own);
      const tenant = realtimeTenant();
      const token = await own.mintToken(deviceClaims({ tenant }));
      const before = realtimeClient(own, token);
      ownClients.push(before);
      const joined = watchChannel(before, `equinox:${tenant}`);
      await statusAfter(joined, 'SUBSCRIBED');

      await own.restartPostgres({ immediate: true });

      const sender = await DatabaseSender.open(own);
      try {
        await sendUntilHeard(sender, joined, `equinox:${tenant}`, 'after-restart');
        // A join after the restart is authorised by the database again.
        const after = realtimeClient(own, token);
        ownClients.push(after);
        const rejoined = watchChannel(after, `equinox:${tenant}`);
        await statusAfter(rejoined, 'SUBSCRIBED');
        await sender.send(`equinox:${tenant}`, 'to-both');
        await Promise.all([broadcastOf(joined, 'to-both'), broadcastOf(rejoined, 'to-both')]);
      } finally {
        await sender.close();
      }
    } finally {
      await Promise.all(ownClients.map((client) => client.removeAllChannels()));
      await own.stop();
    }
  });
});
