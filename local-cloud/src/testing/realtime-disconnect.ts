/** What {@link disconnectRealtime} needs of a cloud: its URL and the service key. */
export interface RealtimeAdminAccess {
  readonly url: string;
  readonly serviceKey: string;
}

/**
 * Closes the local cloud's Realtime sockets from the server side, as a Realtime restart
 * would: those with a channel joined on `topic` (as `realtime.messages` names it, e.g.
 * `equinox:store-1`), or all of them. Resolves with how many were closed. realtime-js
 * reconnects and rejoins by itself; broadcasts sent meanwhile are not delivered.
 *
 * @example
 * expect(await disconnectRealtime(cloud, `equinox:${tenant}`)).toBe(1);
 */
export async function disconnectRealtime(cloud: RealtimeAdminAccess, topic?: string): Promise<number> {
  const query = topic === undefined ? '' : `?topic=${encodeURIComponent(topic)}`;
  const response = await fetch(`${cloud.url}/equinox/v1/realtime/disconnect${query}`, {
    method: 'POST',
    headers: { apikey: cloud.serviceKey },
  });
  if (!response.ok) throw new Error(`the local cloud did not disconnect Realtime: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { disconnected: number }).disconnected;
}
