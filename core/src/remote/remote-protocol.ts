import type { Row } from '../declarations/index.js';

/**
 * Version of the push/pull wire format. `eq_health` reports the version the cloud's
 * schema was compiled with, so a device can tell an outdated migration apart.
 *
 * @example
 * const { protocol } = await remote.health(2000);
 * if (protocol !== undefined && protocol !== SYNC_PROTOCOL_VERSION) console.warn('migrate the cloud schema');
 */
export const SYNC_PROTOCOL_VERSION = 2;

/**
 * SQLSTATE of a push refused by one of the cloud's push gates (a plugin's check, e.g. a
 * subscription): the caller's own uploads are paused. Pulls go on and the rows keep waiting.
 *
 * @example
 * if (error instanceof RemoteError && error.code === PUSH_PAUSED_CODE) status = `uploads paused: ${error.message}`;
 */
export const PUSH_PAUSED_CODE = 'EQ402';

/**
 * SQLSTATE of a push the cloud refused whole, before writing anything, because it is not
 * as the device last saw it ({@link PushExpectation}): another epoch, a high-water mark
 * below the one the device recorded, a next transaction id at or below a pull cursor's,
 * another sync protocol, or a token of another tenant. The device then probes the cloud
 * and, if it was replaced or restored, repairs before sending again.
 *
 * @example
 * if (error instanceof RemoteError && error.code === PUSH_EXPECTATION_CODE) await engine.probe();
 */
export const PUSH_EXPECTATION_CODE = 'EQ412';

/**
 * What a device expects of the cloud when it pushes without probing first: the marks it
 * recorded at its last look (see {@link CloudMarks}), its sync protocol and its tenant.
 * The cloud checks them before it writes (`eq_push`'s `p_expect`) and refuses the whole
 * push with {@link PUSH_EXPECTATION_CODE} when one does not hold, so a push never lands
 * on a cloud replaced or restored under the device. On the wire:
 * `{ protocol, tenant, epoch, high_water, cursor_txid? }`.
 *
 * @example
 * const expect: PushExpectation = { protocol: SYNC_PROTOCOL_VERSION, tenant: 'store-1', epoch: 'a1', highWater: '812' };
 */
export interface PushExpectation {
  readonly protocol: number;
  readonly tenant: string;
  readonly epoch: string;
  /** The highest `server_version` the device recorded; the cloud's may only be at or above it. */
  readonly highWater?: string;
  /** The largest transaction id among the device's pull cursors; the cloud's next one must lie above it. */
  readonly cursorTxid?: string;
}

/**
 * Most rows one `eq_push` call may carry; the cloud refuses a bigger call with SQLSTATE
 * 54000 (program_limit_exceeded), so one request cannot hold a connection for long.
 *
 * @example
 * const batch = outbox.slice(0, Math.min(batchSize, MAX_PUSH_ROWS));
 */
export const MAX_PUSH_ROWS = 1000;

/**
 * Most bytes of row JSON (the `p_rows` text) one `eq_push` call may carry; a bigger call
 * is refused with SQLSTATE 54000.
 *
 * @example
 * const fits = Buffer.byteLength(JSON.stringify(rows), 'utf8') <= MAX_PUSH_BYTES;
 */
export const MAX_PUSH_BYTES = 2 * 1024 * 1024;

/**
 * Most tables one `eq_push_tables` call may carry (a push per table, at most
 * `MAX_PUSH_BYTES` of JSON in all); the cloud refuses more with SQLSTATE 54000.
 *
 * @example
 * const parts = batches.slice(0, MAX_PUSH_TABLES);
 */
export const MAX_PUSH_TABLES = 8;

/**
 * One row to upload. `row` carries every column, system columns included (`id`,
 * `tenant_id`, `updated_at`, `deleted`); `base_version` is the `server_version` the
 * device last saw for this row, `null` for a row the cloud has never confirmed.
 *
 * @example
 * const item: PushItem = {
 *   row: { id, tenant_id: 'store-1', updated_at: '1735689600000-0000-dev1', deleted: false, name: 'Ada' },
 *   base_version: null,
 * };
 */
export interface PushItem {
  readonly row: Row;
  readonly base_version: number | null;
}

/**
 * One table's push within a call that carries several (`eq_push_tables`): its rows, and
 * whether to answer with its echo (as `pushWithEcho`).
 *
 * @example
 * const part: PushPart = { table: 'orders', items: [{ row, base_version: null }], echo: true };
 */
export interface PushPart {
  readonly table: string;
  readonly items: readonly PushItem[];
  readonly echo: boolean;
}

/**
 * What the cloud did with one pushed row; outcomes come back in input order.
 * - `applied`: written; `server_version` is the row's new version (the device's new base).
 * - `duplicate`: already there with the same `updated_at` (a retried request), or an
 *   existing row of an append-only table; nothing was written.
 * - `conflict`: the cloud row changed since `base_version` and the table's strategy kept
 *   it; `row` is the cloud's version, `server_version` included.
 * - `rejected`: refused (row-level security, a constraint, a malformed row); `code` is
 *   the Postgres SQLSTATE. Other rows of the batch are unaffected.
 *
 * @example
 * for (const outcome of outcomes) {
 *   if (outcome.status === 'applied') markSynced(outcome.id, outcome.server_version);
 * }
 */
export type PushOutcome =
  | { readonly id: string; readonly status: 'applied'; readonly server_version: number }
  | { readonly id: string; readonly status: 'duplicate'; readonly server_version: number }
  | { readonly id: string; readonly status: 'conflict'; readonly row: Row }
  | { readonly id: string | null; readonly status: 'rejected'; readonly reason: string; readonly code: string };

/**
 * Every {@link PushOutcome} status.
 *
 * @example
 * PUSH_STATUSES.includes(answer.status);
 */
export const PUSH_STATUSES = ['applied', 'duplicate', 'conflict', 'rejected'] as const;

/**
 * Where a pull resumes: the `server_version` of the last row received (within a tenant
 * and table the cloud hands versions out in commit order), and the pull scope it was
 * read under (`null`: all of the tenant's rows). The device stores it as the cloud sent
 * it and sends it back; a cursor of an earlier cloud also carries a `txid`. `null`
 * means from the start.
 *
 * @example
 * const start: PullCursor | null = null;
 * const next: PullCursor = { server_version: 52, scope: null };
 */
export interface PullCursor {
  readonly server_version: number;
  readonly scope?: string | null;
  readonly txid?: string;
  /**
   * Sent, never stored: the echoes of this run's pushes of the table ({@link PushEcho}),
   * which let the cloud move the cursor past the device's own rows instead of sending them.
   */
  readonly echo?: readonly PushEcho[];
}

/**
 * The cloud's proof about one push, `[after, last]`: the tenant's rows of the table with
 * versions above `after` up to `last` are exactly the rows the push wrote, at the versions
 * it answered. The device holds those rows once it recorded the outcomes, so a pull whose
 * cursor has reached `after` need not send them back (the cursor's `echo`). Opaque to the
 * device beyond chaining: a push's `after` equal to another's `last` continues it.
 *
 * @example
 * const answer = await remote.pushWithEcho!('clients', items);
 * if (answer.echo !== null) echoes.push(answer.echo);
 */
export type PushEcho = readonly [after: number, last: number];

/**
 * A push's answer with its echo: the outcomes, one per item in input order, and the echo,
 * or `null` when the cloud gave none (nothing applied, or the push's transaction wrote
 * other rows of the table too, or a cloud from before echoes).
 *
 * @example
 * const { outcomes, echo } = await remote.pushWithEcho!('clients', items);
 */
export interface PushAnswer {
  readonly outcomes: PushOutcome[];
  readonly echo: PushEcho | null;
}

/**
 * One page of a pull: rows in commit order, each with its `server_version` (the
 * device's base version for that row); `cursor` to resume from; `has_more` when the
 * next page is already waiting. A last page also carries the cloud's `marks` as they were
 * when it was read (a cloud of an earlier version leaves them out); an earlier cloud
 * could also say `held_back` (rows waiting behind a transaction still open there).
 *
 * @example
 * for (;;) {
 *   const page = await remote.pull('clients', cursor, 1000);
 *   apply(page.rows, page.cursor);
 *   if (!page.has_more) break;
 *   cursor = page.cursor;
 * }
 */
export interface PullPage {
  readonly rows: readonly Row[];
  readonly cursor: PullCursor;
  readonly has_more: boolean;
  readonly held_back?: true;
  readonly marks?: CloudMarks;
}

/**
 * Most tables one `eq_pull_many` call may name; the cloud refuses more with SQLSTATE
 * 54000. A device with more tables syncs them the ordinary way (a probe, a pull per table).
 *
 * @example
 * const oneRequest = Object.keys(cursors).length <= MAX_PULL_MANY_TABLES;
 */
export const MAX_PULL_MANY_TABLES = 64;

/**
 * The cloud's identity and how far it has gone (see `eq_health`), as the device reads
 * them: for noticing a cloud replaced or restored under it.
 *
 * @example
 * const marks: CloudMarks = { epoch: 'a1', highWater: '812', nextTxid: '901' };
 */
export interface CloudMarks {
  readonly epoch?: string;
  readonly highWater?: string;
  readonly nextTxid?: string;
}

/**
 * The topic of a tenant's live channel (DESIGN.md §4, Live nudges): the cloud announces
 * each push that applied rows there, as a private Realtime broadcast. It is the topic
 * `realtime.messages` stores and the name `supabase.channel(…)` takes (realtime-js adds
 * `realtime:` on the wire).
 *
 * @example
 * supabase.channel(liveTopic('store-1'), { config: { private: true } }); // 'equinox:store-1'
 */
export function liveTopic(tenant: string): string {
  return `${LIVE_TOPIC_PREFIX}${tenant}`;
}

/**
 * What every live topic starts with.
 *
 * @example
 * LIVE_TOPIC_PREFIX; // 'equinox:'
 */
export const LIVE_TOPIC_PREFIX = 'equinox:';

/**
 * The broadcast event of an announced push. Its payload is `{ "table": "<name>" }` and
 * nothing else: no ids, no counts.
 *
 * @example
 * channel.on('broadcast', { event: LIVE_PUSH_EVENT }, ({ payload }) => nudge(payload.table));
 */
export const LIVE_PUSH_EVENT = 'push';
