import { inject, injectable } from 'inversify';
import type { Row, TableDefinition } from '../declarations/index.js';
import { RemoteError, RemoteStore, type CloudMarks, type PullCursor, type PullPage } from '../remote/index.js';
import { LocalStore, type RecordSyncInfo } from '../store/index.js';
import { toServerVersion } from '../store/server-version.js';
import { resolveConflict } from './resolve-conflict.js';
import { withEchoes } from './push-echoes.js';
import { joinTableFailures, type TableFailure } from './table-failures.js';
import type { RunContext, StageCounts } from './run-context.js';
import { SyncHooks } from './sync-hooks.js';
import { SyncOptions } from './sync-options.js';

/**
 * The pull stage: for every table that downloads, pages through the cloud's changes
 * since the stored cursor (the cloud's own value, sent back as it came), starting from a
 * first page already read when the run has one (a `pullMany`). Each page is applied in
 * one local transaction with the triggers muted, and the cursor advances in that same
 * transaction, so a crash replays at most one page and never skips one. A pulled row
 * that meets a local change goes to the resolve stage; a row the device has already
 * seen (its own upload coming back) is skipped. A row the device cannot decode or apply
 * is set aside in the quarantine (shown in the status) and the rest of the page goes on.
 *
 * @example
 * await pull.run(context, counts);
 */
@injectable()
export class PullStage {
  constructor(
    @inject(LocalStore) private readonly store: LocalStore,
    @inject(RemoteStore) private readonly remote: RemoteStore,
    @inject(SyncOptions) private readonly options: SyncOptions,
    @inject(SyncHooks) private readonly hooks: SyncHooks,
  ) {}

  /**
   * Pulls every table that downloads, or those of `tables` (a run for live nudges). Adds
   * what it does to `counts` as it goes, so a run that fails midway still reports what it
   * did. Resolves with the tables whose last page said rows are held back, and the
   * cloud's marks as the last page read said them (see PullPage).
   */
  async run(context: RunContext, counts: StageCounts, tables?: ReadonlySet<string>, first?: FirstPages): Promise<PullReport> {
    const failures: TableFailure[] = [];
    const heldBack: string[] = [];
    let marks: CloudMarks | undefined;
    const pulled = this.tablesToPull(tables);
    // Read together: a read transaction each costs more than the reads (file locks).
    const cursors = this.store.snapshot(() => pulled.map((table) => this.cursor(table.name)));
    for (const [index, table] of pulled.entries()) {
      try {
        const last = await this.pullTable(table, cursors[index] ?? null, context, counts, first?.[table.name]);
        if (last?.held_back === true) heldBack.push(table.name);
        if (last?.marks !== undefined) marks = last.marks;
      } catch (error) {
        // A transport failure ends the run; anything else stops only this table's pull, so one bad page never blocks the rest.
        if (error instanceof RemoteError && error.retryable) throw error;
        const message = error instanceof Error ? error.message : String(error);
        failures.push({ table: table.name, message: message.includes(`"${table.name}"`) ? message : `pull of "${table.name}" stopped: ${message}` });
      }
      if (context.stopping()) break;
    }
    if (failures.length > 0) throw new Error(joinTableFailures(failures));
    return { heldBack, ...(marks === undefined ? {} : { marks }) };
  }

  /**
   * The stored cursor of every table `run` would pull (with the same `tables`): what a
   * `pullMany` asks for, so its pages can stand in for the first requests of `run`. Read
   * them in a `store.snapshot` with the run's other first reads.
   */
  cursors(tables?: ReadonlySet<string>): Record<string, PullCursor | null> {
    return Object.fromEntries(this.tablesToPull(tables).map((table) => [table.name, this.cursor(table.name)]));
  }

  private tablesToPull(tables: ReadonlySet<string> | undefined): TableDefinition[] {
    return this.store.tableDefinitions().filter((table) => table.direction !== 'upload-only' && (tables === undefined || tables.has(table.name)));
  }

  private cursor(table: string): PullCursor | null {
    return (this.store.readCursor(table) as PullCursor | undefined) ?? null;
  }

  /** The table's last page, once applied, from its stored `cursor`; undefined when the engine stopped first. */
  private async pullTable(table: TableDefinition, cursor: PullCursor | null, context: RunContext, counts: StageCounts, first?: FirstPage): Promise<PullPage | undefined> {
    let stored = JSON.stringify(cursor);
    // A page read already (by pullMany) serves only for the cursor it was read after.
    const ready = first !== undefined && JSON.stringify(first.cursor) === stored ? first.page : undefined;
    // The run's pushes of this table, which the cloud moves the cursor past instead of sending them back.
    const echoes = context.echoes.take(table.name);
    let next: Promise<PullPage> | undefined = ready === undefined ? this.request(table.name, withEchoes(cursor, echoes)) : Promise.resolve(ready);
    let seen = 0;
    let last: PullPage | undefined;
    while (next !== undefined) {
      if (context.stopping()) return undefined;
      const page: PullPage = await next;
      last = page;
      // The next page is asked for before this one is written: the cloud reads and sends
      // it while the device writes. It only depends on the cloud's cursor; if this page
      // fails, or the engine stops, it is dropped unread and the stored cursor is unchanged.
      next = page.has_more ? this.request(table.name, page.cursor) : undefined;
      if (next !== undefined) await sendBeforeWriting();
      // Nothing new and the cursor where it was (a no-op sync's every table): nothing to
      // write, report or tell the hooks — a transaction per table was most of a no-op's local work.
      if (page.rows.length === 0 && !page.has_more && JSON.stringify(page.cursor) === stored) break;
      const { good, applied, quarantined } = this.store.transaction(() => this.applyPage(table, page.rows, page.cursor, context.now(), counts));
      stored = JSON.stringify(page.cursor);
      counts.downloaded += applied;
      counts.quarantined += quarantined;
      seen += page.rows.length;
      context.progress({ phase: 'pull', table: table.name, done: seen, total: seen + (page.has_more ? this.options.pullPageSize : 0) });
      for (const hook of this.hooks.hooksFor(table.name)) await hook.afterPull?.(table.name, good);
    }
    return last;
  }

  /** Starts a page request; a page never awaited (the run stopped or failed first) is dropped without an unhandled rejection. */
  private request(table: string, cursor: PullCursor | null): Promise<PullPage> {
    const page = this.remote.pull(table, cursor, this.options.pullPageSize);
    page.catch(() => undefined);
    return page;
  }

  /**
   * A pulled row holding a unique key a different local row holds (both created offline)
   * cannot be written: it waits in the conflict inbox beside that local row, whose upload
   * the cloud refuses for the same reason, until a person picks one or changes a key.
   */
  private collides(table: TableDefinition, remote: Row, now: number): boolean {
    if (remote.deleted === true || !table.indexes.some((index) => index.unique)) return false;
    const [holder] = this.store.records.uniqueCollisions(table.name, remote);
    if (holder === undefined) return false;
    this.store.records.recordConflict(table.name, String(holder.id), holder, remote, now);
    return true;
  }

  /** Applies one page in the caller's transaction: the page's rows but those set aside, how many it wrote and how many it set aside. */
  private applyPage(
    table: TableDefinition,
    page: readonly unknown[],
    cursor: PullCursor,
    now: number,
    counts: StageCounts,
  ): { good: Row[]; applied: number; quarantined: number } {
    // A version the device already has (its own upload coming back) is not looked at again.
    const ids = page.flatMap((row) => (typeof (row as Row | null)?.id === 'string' ? [(row as Row).id as string] : []));
    const info = this.store.records.info(table.name, ids);
    const held = page.map((row) => alreadyHeld(row, info));
    const fresh = page.filter((_, index) => !held[index]);
    // Then set aside what cannot be read, so conflicts and unique keys only ever meet readable rows.
    const rows = this.store.screenPulled(table.name, fresh, now);
    const apply: Row[] = [];
    for (const remote of rows) {
      const id = String(remote.id);
      const known = info.get(id);
      const pending = known !== undefined && known.pendingSeq !== null && (known.state === 'PendingUpload' || known.state === 'Conflict');
      // The cloud's version already filed with this record's conflict (this run's upload met it): the same conflict, counted once.
      if (known?.state === 'Conflict' && this.store.records.conflictRemoteVersion(table.name, id) === Number(toServerVersion(remote.server_version))) continue;
      const local = pending && !table.appendOnly ? this.store.records.localRow(table.name, id) : undefined;
      if (local === undefined) {
        if (this.collides(table, remote, now)) counts.conflicts += 1;
        else apply.push(remote);
        continue;
      }
      counts.conflicts += 1;
      if (resolveConflict({ store: this.store, hooks: this.hooks, table, local, remote, now }) === 'remote') apply.push(remote);
    }
    const result = this.store.applyRemote(table.name, apply, cursor, now);
    // Hooks see the page as before, but for the rows set aside.
    const readable = new Set<unknown>(rows);
    const good = page.filter((row, index) => held[index] || readable.has(row)) as Row[];
    return { good, applied: result.applied, quarantined: fresh.length - rows.length + result.quarantined };
  }
}

/**
 * What a pull stage found beside the rows.
 *
 * @example
 * const { heldBack } = await pull.run(context, counts);
 */
export interface PullReport {
  /** Tables with committed rows the cloud holds back for a moment (a transaction still open there; earlier clouds only). */
  readonly heldBack: readonly string[];
  /** The cloud's marks from the last page read, when the cloud sends them. */
  readonly marks?: CloudMarks;
}

/**
 * A table's first page read ahead of the pull stage (by a `pullMany`), with the cursor it
 * was read after.
 *
 * @example
 * const first: FirstPage = { cursor: null, page: answer.pages.clients! };
 */
export interface FirstPage {
  readonly cursor: PullCursor | null;
  readonly page: PullPage;
}

/**
 * First pages read ahead, by table: `run` applies each in place of its first request.
 *
 * @example
 * await pull.run(context, counts, undefined, { clients: { cursor: null, page } });
 */
export type FirstPages = Readonly<Record<string, FirstPage>>;

/** Whether the device already has this version of the row (or a later one). */
function alreadyHeld(row: unknown, info: ReadonlyMap<string, RecordSyncInfo>): boolean {
  const id = (row as Row | null)?.id;
  if (typeof id !== 'string') return false;
  const known = info.get(id);
  const version = toServerVersion((row as Row).server_version);
  return known?.serverVersion != null && version !== null && Number(version) <= known.serverVersion;
}

/**
 * Lets the request just started reach the socket: writing a page is synchronous and
 * would otherwise hold it back until the write is done.
 */
function sendBeforeWriting(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
