import { describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { deviceClaims, TokenMinter } from '../src/index.js';
import {
  broadcastOf,
  realtimeDevices,
  realtimeTenant,
  statusAfter,
  watchChannel,
} from './realtime-kit.js';

const cloud = inject('cloud');

/** The status and body of a refused websocket upgrade (`undefined` if it was accepted). */
function upgradeRefusal(query: string): Promise<{ status: number; body: string } | undefined> {
  const socket = new WebSocket(`${cloud.url.replace(/^http/, 'ws')}/realtime/v1/websocket?vsn=2.0.0${query}`);
  return new Promise((resolve, reject) => {
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.on('open', () => (socket.close(), resolve(undefined)));
    socket.on('error', (error) => (error.message.startsWith('Unexpected server response') ? undefined : reject(error)));
  });
}

describe('what the local cloud refuses on Realtime', () => {
  const realtime = realtimeDevices(cloud);
  const { tokens } = realtime;
  const device = (token?: string, apiKey?: string) => realtime.device(token, {}, apiKey);

  it("refuses another tenant's channel, says nothing of that tenant, and delivers it nothing", async () => {
    const mine = realtimeTenant();
    const theirs = realtimeTenant();
    const client = device(await tokens.mint(deviceClaims({ tenant: mine })));
    const own = watchChannel(client, `equinox:${mine}`);
    const intruding = watchChannel(client, `equinox:${theirs}`);
    await statusAfter(own, 'SUBSCRIBED');

    const refusal = await statusAfter(intruding, 'CHANNEL_ERROR');
    expect(refusal.error?.message).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: equinox:${theirs}`);

    await realtime.sender.send(`equinox:${theirs}`, 'their-secret');
    await realtime.sender.send(`equinox:${mine}`, 'mine');
    // One socket, commit order: their message would have come first.
    await broadcastOf(own, 'mine');
    expect(intruding.broadcasts).toEqual([]);
    expect(intruding.statuses.map((report) => report.status)).not.toContain('SUBSCRIBED');
  });

  it('refuses an expired, a malformed and a forged token', async () => {
    const tenant = realtimeTenant();
    const expired = watchChannel(device(await tokens.mint(deviceClaims({ tenant }), { expiresIn: -60 })), `equinox:${tenant}`);
    const garbage = watchChannel(device('not-a-jwt'), `equinox:${tenant}`);
    const forger = new TokenMinter('not-the-secret-of-this-cloud-000000');
    const forged = watchChannel(device(await forger.mint(deviceClaims({ tenant }))), `equinox:${tenant}`);

    expect((await statusAfter(expired, 'CHANNEL_ERROR')).error?.message).toMatch(/^InvalidJWTToken: Token has expired \d+ seconds ago$/);
    expect((await statusAfter(garbage, 'CHANNEL_ERROR')).error?.message).toBe('MalformedJWT: The token provided is not a valid JWT');
    expect((await statusAfter(forged, 'CHANNEL_ERROR')).error?.message).toBe('JwtSignatureError: Failed to validate JWT signature');
  });

  it('refuses a private channel to the anon key, which a client without a session joins with', async () => {
    const tenant = realtimeTenant();
    const anonymous = watchChannel(device(), `equinox:${tenant}`);

    const refusal = await statusAfter(anonymous, 'CHANNEL_ERROR');
    expect(refusal.error?.message).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: equinox:${tenant}`);
  });

  it('answers 401 to an upgrade without or with a wrong apikey, as REST does', async () => {
    expect(await upgradeRefusal('')).toEqual({ status: 401, body: expect.stringContaining('No API key found in request') });
    const forged = await new TokenMinter('not-the-secret-of-this-cloud-000000').mint({ role: 'anon' });
    expect(await upgradeRefusal(`&apikey=${forged}`)).toEqual({ status: 401, body: expect.stringContaining('Invalid API key') });
    // A user token is not an API key.
    const userToken = await tokens.mint(deviceClaims({ tenant: realtimeTenant() }));
    expect((await upgradeRefusal(`&apikey=${userToken}`))?.status).toBe(401);
    expect(await upgradeRefusal(`&apikey=${cloud.anonKey}`)).toBeUndefined();
  });

  it('reports a channel error to a client whose apikey is refused', async () => {
    const tenant = realtimeTenant();
    const forged = await new TokenMinter('not-the-secret-of-this-cloud-000000').mint({ role: 'anon' });
    const watched = watchChannel(device(await tokens.mint(deviceClaims({ tenant })), forged), `equinox:${tenant}`);

    await statusAfter(watched, 'CHANNEL_ERROR');
    expect(watched.statuses.map((report) => report.status)).not.toContain('SUBSCRIBED');
  });
});
