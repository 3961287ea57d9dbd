import type pg from 'pg';

/** What the database said about a read: allowed, refused, or it could not be asked. */
export type ReadDecision = 'allowed' | 'refused' | 'unavailable';

/** Who asks: the verified claims of an access token. */
export interface ChannelReader {
  readonly role: string;
  readonly sub?: unknown;
  readonly [claim: string]: unknown;
}

/**
 * Decides whether a token may read a private channel's topic the way Supabase Realtime
 * does, by asking the database rather than deciding in code: in one transaction, insert
 * a probe message of that topic (as the owner, past row-level security), become the
 * token's role with its claims and `realtime.topic`, select the probe through the
 * `realtime.messages` policies, and roll everything back. The pool's role (the cloud's
 * owner role) may only become the API roles granted to it, so a token cannot name a
 * more powerful one. An error of the policy itself refuses; a lost database is
 * `unavailable`.
 *
 * @example
 * const authoriser = new ChannelAuthoriser(pool);
 * await authoriser.canRead('equinox:store-1', { role: 'authenticated', app_metadata: { tenant_id: 'store-1' } }); // 'allowed'
 */
export class ChannelAuthoriser {
  constructor(private readonly pool: pg.Pool) {}

  async canRead(topic: string, claims: ChannelReader): Promise<ReadDecision> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch {
      return 'unavailable';
    }
    let broken: Error | undefined;
    // A connection that dies between two queries (Postgres restarting) emits 'error' on the
    // checked-out client, which the pool only listens for while the client is idle.
    const onLost = (error: Error): void => void (broken ??= error);
    client.on('error', onLost);
    try {
      await client.query('begin');
      const probe = await client.query<{ id: string }>(
        `insert into realtime.messages (topic, extension) values ($1, 'broadcast') returning id`,
        [topic],
      );
      await client.query(
        `select set_config('role', $1, true), set_config('realtime.topic', $2, true),
                set_config('request.jwt.claims', $3, true), set_config('request.jwt.claim.sub', $4, true),
                set_config('request.jwt.claim.role', $1, true)`,
        [claims.role, topic, JSON.stringify(claims), typeof claims.sub === 'string' ? claims.sub : ''],
      );
      const read = await client.query('select 1 from realtime.messages where id = $1', [probe.rows[0]?.id]);
      return read.rowCount === 1 ? 'allowed' : 'refused';
    } catch (error) {
      if (lostConnection(error)) {
        broken = error as Error;
        return 'unavailable';
      }
      return 'refused';
    } finally {
      if (!broken) await client.query('rollback').catch((error: Error) => (broken = error));
      client.off('error', onLost);
      client.release(broken);
    }
  }
}

/** Postgres answered with an error about the query (a policy, a role): the reader is refused. */
function lostConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  // No SQLSTATE: the socket failed. 08: connection exception, 57: operator intervention (shutdown).
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('08') || code.startsWith('57');
}
