import { describe, expect, inject, it } from 'vitest';
import { deviceClaims } from '../src/index.js';
import {
  broadcastOf,
  realtimeDevices,
  realtimeTenant,
  statusAfter,
  until,
  watchChannel,
} from './realtime-kit.js';

const cloud = inject('cloud');

describe('Realtime broadcast channels of the local cloud, through supabase-js', () => {
  const realtime = realtimeDevices(cloud);
  const { tokens, device } = realtime;

  it('joins a private channel and receives what realtime.send broadcasts from the database', async () => {
    const tenant = realtimeTenant();
    const watched = watchChannel(device(await tokens.mint(deviceClaims({ tenant }))), `equinox:${tenant}`);
    await statusAfter(watched, 'SUBSCRIBED');

    await realtime.sender.send(`equinox:${tenant}`, 'products');

    const message = await broadcastOf(watched, 'products');
    expect(message.type).toBe('broadcast');
    expect(message.event).toBe('push');
    // As on Supabase, realtime.send adds an id to the payload and names the message in meta.
    expect(message.payload).toEqual({ table: 'products', id: expect.any(String) });
    expect(message.meta?.id).toBe(message.payload.id);
  });

  it('delivers to every device of the tenant, and only the broadcasts of its topic', async () => {
    const tenant = realtimeTenant();
    const other = realtimeTenant();
    const tills = await Promise.all([1, 2].map(async () => watchChannel(device(await tokens.mint(deviceClaims({ tenant }))), `equinox:${tenant}`)));
    await Promise.all(tills.map((till) => statusAfter(till, 'SUBSCRIBED')));

    await realtime.sender.send(`equinox:${other}`, 'not-mine');
    await realtime.sender.send(`equinox:${tenant}`, 'mine');

    for (const till of tills) {
      await broadcastOf(till, 'mine');
      // One listener delivers in commit order: what came before 'mine' has arrived by now.
      expect(till.broadcasts.map((message) => message.payload.table)).toEqual(['mine']);
    }
  });

  it('keeps the socket through heartbeats', async () => {
    const tenant = realtimeTenant();
    const client = device(await tokens.mint(deviceClaims({ tenant })), { heartbeatIntervalMs: 100 });
    const beats: string[] = [];
    client.realtime.onHeartbeat((status) => void beats.push(status));
    const watched = watchChannel(client, `equinox:${tenant}`);
    await statusAfter(watched, 'SUBSCRIBED');

    await until(() => (beats.filter((beat) => beat === 'ok').length >= 5 ? true : undefined), 'five answered heartbeats');
    await realtime.sender.send(`equinox:${tenant}`, 'after-heartbeats');
    await broadcastOf(watched, 'after-heartbeats');

    expect(beats.filter((beat) => beat !== 'sent' && beat !== 'ok')).toEqual([]);
    expect(watched.statuses.map((report) => report.status)).toEqual(['SUBSCRIBED']);
  });

  it('leaves: the channel closes and gets nothing more', async () => {
    const tenant = realtimeTenant();
    const client = device(await tokens.mint(deviceClaims({ tenant })));
    const leaving = watchChannel(client, `equinox:${tenant}`);
    const staying = watchChannel(client, `marker:${tenant}`, { private: false });
    await Promise.all([statusAfter(leaving, 'SUBSCRIBED'), statusAfter(staying, 'SUBSCRIBED')]);

    expect(await leaving.channel.unsubscribe()).toBe('ok');
    await statusAfter(leaving, 'CLOSED');
    await realtime.sender.send(`equinox:${tenant}`, 'after-leave');
    await realtime.sender.send(`marker:${tenant}`, 'marker', false);
    // Same socket, commit order: had the left channel still been served, 'after-leave' would be here by now.
    await broadcastOf(staying, 'marker');

    expect(leaving.broadcasts).toEqual([]);
  });

  it('keeps private and public broadcasts apart, as Supabase does', async () => {
    const tenant = realtimeTenant();
    const token = await tokens.mint(deviceClaims({ tenant }));
    const privateChannel = watchChannel(device(token), `equinox:${tenant}`);
    const publicChannel = watchChannel(device(token), `equinox:${tenant}`, { private: false });
    await Promise.all([statusAfter(privateChannel, 'SUBSCRIBED'), statusAfter(publicChannel, 'SUBSCRIBED')]);

    await realtime.sender.send(`equinox:${tenant}`, 'private-one');
    await realtime.sender.send(`equinox:${tenant}`, 'public-one', false);
    await realtime.sender.send(`equinox:${tenant}`, 'private-two');
    await broadcastOf(publicChannel, 'public-one');
    await broadcastOf(privateChannel, 'private-two');

    expect(privateChannel.broadcasts.map((message) => message.payload.table)).toEqual(['private-one', 'private-two']);
    expect(publicChannel.broadcasts.map((message) => message.payload.table)).toEqual(['public-one']);
  });

  it('speaks the 1.0.0 serializer too', async () => {
    const tenant = realtimeTenant();
    const watched = watchChannel(device(await tokens.mint(deviceClaims({ tenant })), { vsn: '1.0.0' }), `equinox:${tenant}`);
    await statusAfter(watched, 'SUBSCRIBED');

    await realtime.sender.send(`equinox:${tenant}`, 'over-json');

    const message = await broadcastOf(watched, 'over-json');
    expect(message.payload).toEqual({ table: 'over-json', id: expect.any(String) });
  });

  it('lets the owner role create read policies on realtime.messages, and no device role broadcast', async () => {
    const tenant = realtimeTenant();
    const claims = deviceClaims({ tenant });
    const watched = watchChannel(device(await tokens.mint(claims)), `equinox:${tenant}`);
    await statusAfter(watched, 'SUBSCRIBED');

    // As on Supabase, realtime.send runs with the caller's rights: without an insert policy
    // a device's role cannot write the message, and the failure is only a warning.
    await realtime.sender.asRole('authenticated', claims, `select realtime.send(jsonb_build_object('table', 'forged'), 'push', $1, true)`, [`equinox:${tenant}`]);
    await realtime.sender.send(`equinox:${tenant}`, 'genuine');
    await broadcastOf(watched, 'genuine');

    expect(watched.broadcasts.map((message) => message.payload.table)).toEqual(['genuine']);
  });
});
