import { inject, injectable } from 'inversify';
import type { Row, TableDefinition } from '../declarations/index.js';
import { RemoteStore, type PullCursor } from '../remote/index.js';
import { LocalStore } from '../store/index.js';
import { resolveConflict, toVersion } from './resolve-conflict.js';
import type { RunContext, StageCounts } from './run-context.js';
import { SyncHooks } from './sync-hooks.js';
import { SyncOptions } from './sync-options.js';

/**
 * The pull stage: for every table that downloads, pages through the cloud's changes
 * since the stored `(txid, server_version)` cursor. Each page is applied in one local
 * transaction with the triggers muted, and the cursor advances in that same
 * transaction, so a crash replays at most one page and never skips one. A pulled row
 * that meets a local change goes to the resolve stage; a row the device has already
 * seen (its own upload coming back) is skipped.
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

  /** Adds what it does to `counts` as it goes, so a run that fails midway still reports what it did. */
  async run(context: RunContext, counts: StageCounts): Promise<void> {
    for (const table of this.store.tableDefinitions()) {
      if (table.direction === 'upload-only') continue;
      let cursor = (this.store.readCursor(table.name) as PullCursor | undefined) ?? null;
      let seen = 0;
      for (;;) {
        if (context.stopping()) return;
        const page = await this.remote.pull(table.name, cursor, this.options.pullPageSize);
        const applied = this.store.transaction(() => this.applyPage(table, page.rows, page.cursor, context.now(), counts));
        counts.downloaded += applied;
        seen += page.rows.length;
        context.progress({ phase: 'pull', table: table.name, done: seen, total: seen + (page.has_more ? this.options.pullPageSize : 0) });
        for (const hook of this.hooks.hooksFor(table.name)) await hook.afterPull?.(table.name, page.rows);
        cursor = page.cursor;
        if (!page.has_more) break;
      }
    }
  }

  private applyPage(table: TableDefinition, rows: readonly Row[], cursor: PullCursor, now: number, counts: StageCounts): number {
    const info = this.store.records.info(table.name, rows.map((row) => String(row.id)));
    const apply: Row[] = [];
    for (const remote of rows) {
      const id = String(remote.id);
      const known = info.get(id);
      const version = toVersion(remote.server_version);
      if (known?.serverVersion != null && version !== null && version <= known.serverVersion) continue;
      const pending = known !== undefined && known.pendingSeq !== null && (known.state === 'PendingUpload' || known.state === 'Conflict');
      const local = pending && !table.appendOnly ? this.store.records.localRow(table.name, id) : undefined;
      if (local === undefined) {
        apply.push(remote);
        continue;
      }
      counts.conflicts += 1;
      if (resolveConflict({ store: this.store, hooks: this.hooks, table, local, remote, now }) === 'remote') apply.push(remote);
    }
    return this.store.applyRemote(table.name, apply, cursor).applied;
  }
}
