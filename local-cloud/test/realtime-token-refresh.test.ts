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

describe('access tokens of a joined Realtime channel', () => {
  const realtime = realtimeDevices(cloud);
  const { tokens, device } = realtime;

  it('keeps the channel past the first token when setAuth refreshes it', async () => {
    const tenant = realtimeTenant();
    const shortLived = await tokens.mint(deviceClaims({ tenant }), { expiresIn: 2 });
    const client = device(shortLived);
    const watched = watchChannel(client, `equinox:${tenant}`);
    await statusAfter(watched, 'SUBSCRIBED');

    await client.realtime.setAuth(await tokens.mint(deviceClaims({ tenant })));
    // Past the first token's expiry, which would have closed the channel had the refresh not taken.
    const expiry = (JSON.parse(Buffer.from(shortLived.split('.')[1] ?? '', 'base64url').toString()) as { exp: number }).exp;
    await until(() => (Date.now() > expiry * 1000 + 1_000 ? true : undefined), 'the first token to expire');
    await realtime.sender.send(`equinox:${tenant}`, 'after-refresh');

    await broadcastOf(watched, 'after-refresh');
    expect(watched.statuses.map((report) => report.status)).toEqual(['SUBSCRIBED']);
    expect(watched.system).toEqual([]);
  });

  it("closes the channel when the refreshed token may not read it (another tenant's)", async () => {
    const tenant = realtimeTenant();
    const client = device(await tokens.mint(deviceClaims({ tenant })));
    const watched = watchChannel(client, `equinox:${tenant}`);
    await statusAfter(watched, 'SUBSCRIBED');

    await client.realtime.setAuth(await tokens.mint(deviceClaims({ tenant: realtimeTenant() })));

    await statusAfter(watched, 'CLOSED');
    expect(watched.system).toEqual([
      { extension: 'system', status: 'error', message: `You do not have permissions to read from this Channel topic: equinox:${tenant}`, channel: `equinox:${tenant}` },
    ]);
  });

  it('closes the channel when the refreshed token has expired', async () => {
    const tenant = realtimeTenant();
    const client = device(await tokens.mint(deviceClaims({ tenant })));
    const watched = watchChannel(client, `equinox:${tenant}`);
    await statusAfter(watched, 'SUBSCRIBED');

    await client.realtime.setAuth(await tokens.mint(deviceClaims({ tenant }), { expiresIn: -30 }));

    await statusAfter(watched, 'CLOSED');
    expect(watched.system[0]?.message).toMatch(/^Token has expired \d+ seconds ago$/);
  });

  it('closes the channel when its token runs out', async () => {
    const tenant = realtimeTenant();
    const watched = watchChannel(device(await tokens.mint(deviceClaims({ tenant }), { expiresIn: 2 })), `equinox:${tenant}`);
    await statusAfter(watched, 'SUBSCRIBED');

    await statusAfter(watched, 'CLOSED');
    expect(watched.system).toEqual([
      { extension: 'system', status: 'error', message: expect.stringMatching(/^Token has expired \d+ seconds ago$/), channel: `equinox:${tenant}` },
    ]);
  });
});
