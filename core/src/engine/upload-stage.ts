import { inject, injectable } from 'inversify';
import type { Row, TableDefinition } from '../declarations/index.js';
import {
  CloudNotAsExpectedError,
  MAX_PUSH_TABLES,
  PUSH_PAUSED_CODE,
  PushPausedError,
  PushTooLargeError,
  RemoteError,
  RemoteStore,
  type PushExpectation,
  type PushOutcome,
} from '../remote/index.js';
import { describeBreach, LocalStore, rowLimitBreach, type OutboxAck, type OutboxEntry } from '../store/index.js';
import { backoffDelay } from '../sync/index.js';
import { batchesByTable, batchLimits } from './push-batches.js';
import { RefusedRows, type Blocker } from './refused-rows.js';
import { resolveConflict } from './resolve-conflict.js';
import type { RunContext, StageCounts } from './run-context.js';
import { SyncHooks, type UploadGateContext } from './sync-hooks.js';
import { SyncOptions } from './sync-options.js';
import {
  batchJsonBytes,
  orderingKey,
  padded,
  PUSHES_IN_FLIGHT,
  sendBeforeReading,
  type PushInFlight,
  type PushPartInFlight,
  type PushSent,
  type UploadRun,
} from './upload-run.js';

/**
 * The upload stage: reads the outbox in change order, cuts it into batches of one table
 * each — at most `batchSize` rows and 1 MiB of row JSON (`BATCH_BYTES`) — and pushes them,
 * the batches of several tables in one request while they fit those limits together
 * (`pushTables`: one local transaction's writes to several tables), and applies the outcomes in one local
 * transaction per batch. A refused row backs off on its own
 * and never blocks others, except later rows with the same ordering key, which wait
 * behind it. A row breaking its columns' limits (a plain-SQL write) is refused here,
 * before it travels. A transport failure ends the stage (the caller ends the run);
 * nothing is dropped. A push gate's refusal (`EQ402`) pauses the stage: it sends nothing
 * more this run, and the rows keep waiting untouched.
 *
 * @example
 * const paused = await upload.run(context, counts); // throws RemoteError on a transport failure
 * if (paused !== undefined) console.warn(`uploads paused: ${paused}`);
 */
@injectable()
export class UploadStage {
  constructor(
    @inject(LocalStore) private readonly store: LocalStore,
    @inject(RemoteStore) private readonly remote: RemoteStore,
    @inject(SyncOptions) private readonly options: SyncOptions,
    @inject(SyncHooks) private readonly hooks: SyncHooks,
  ) {}

  /** A reason every upload of this run is paused (a plugin's gate), or undefined; `paused`: why they are paused now. */
  async pauseReason(paused: string | undefined): Promise<string | undefined> {
    const gate: UploadGateContext = { paused };
    for (const hook of this.hooks.hooksFor()) {
      const reason = await hook.beforeUpload?.(gate);
      if (reason) return reason;
    }
    return undefined;
  }

  /**
   * Adds what it does to `counts` as it goes, so a run that fails midway still reports
   * what it did. Resolves with the cloud's reason when a push gate paused the uploads.
   * With `expect` (and a remote that can), every push carries it and the cloud writes
   * nothing unless it holds: a refusal ends the stage with a `CloudNotAsExpectedError`,
   * the rows not yet acknowledged still queued and charged nothing.
   */
  async run(context: RunContext, counts: StageCounts, expect?: PushExpectation): Promise<string | undefined> {
    const total = this.store.pendingUploads();
    const run: UploadRun = { context, counts, conflicted: new Set(), refused: new RefusedRows(), expect };
    const inFlight: PushInFlight[] = [];
    // Read but not yet sent: batches of one table each, in outbox order.
    let waiting = this.read(run);
    let done = 0;
    let paused: string | undefined;
    for (;;) {
      while (!context.stopping() && paused === undefined && inFlight.length < PUSHES_IN_FLIGHT && waiting.length > 0) {
        const parts = this.takeParts(run, waiting, inFlight);
        if (parts === undefined) break;
        if (parts.length === 0) continue;
        const rows = parts.reduce((sum, part) => sum + part.entries.length, 0);
        context.progress({ phase: 'upload', table: parts[0]!.definition.name, done, total: Math.max(total, done + rows) });
        const pushing = parts.length === 1 ? this.send(run, parts[0]!.definition, parts[0]!.entries).then((sent) => [sent]) : this.sendTogether(run, parts);
        pushing.catch(() => undefined); // awaited below, in order; a failure must not go unhandled meanwhile
        inFlight.push({ parts, pushing });
        if (waiting.length === 0) {
          // While the cloud settles what is in flight, read the next batch, past the rows
          // in flight: their next change (which keeps their place) waits for the base
          // version they bring, and for the read once nothing is in flight.
          await sendBeforeReading();
          waiting = this.read(run, true);
        }
      }
      const settling = inFlight.shift();
      if (settling === undefined) {
        if (context.stopping() || paused !== undefined) return paused;
        // Nothing in flight: rows left out of the last read (in flight then, or queued
        // again by a conflict) come back here; an empty read ends the stage.
        if (waiting.length === 0) waiting = this.read(run);
        if (waiting.length === 0) return undefined;
        continue;
      }
      // A failed push ends the run. The answer of a push still in flight is dropped and
      // its rows stay queued: pushed again, they come back as duplicates with their versions.
      const sents = await settling.pushing;
      for (const [index, part] of settling.parts.entries()) {
        const sent = sents[index]!;
        const gated = this.store.transaction(() => this.applyOutcomes(run, part.definition, part.entries, sent.outcomes));
        // Only now: an echo lets the pull skip rows the device holds once their outcomes are recorded.
        for (const echo of sent.echoes ?? []) context.echoes.add(part.definition.name, echo);
        await this.tellUploaded(part.definition.name, part.entries, sent.outcomes);
        paused ??= sent.paused ?? gated;
        done += part.entries.length;
      }
    }
  }

  /**
   * The batches at the head of `waiting` that go up in the next request, each held back
   * as {@link UploadStage.holdBack} says: the first, and with a remote that pushes several
   * tables at once (`pushTables`), the batches of other tables after it while all of them
   * together stay within one push's rows and bytes — the writes of one local transaction
   * to several tables go up together. `undefined` when the head must wait (its table has an ordering key and
   * a push of it is in flight); empty when every row taken was held back.
   */
  private takeParts(run: UploadRun, waiting: [string, OutboxEntry[]][], inFlight: readonly PushInFlight[]): PushPartInFlight[] | undefined {
    const limits = batchLimits(this.options.batchSize);
    const parts: PushPartInFlight[] = [];
    let rows = 0;
    let bytes = 0;
    while (waiting.length > 0 && parts.length < MAX_PUSH_TABLES) {
      const [table, entries] = waiting[0]!;
      const definition = this.definition(table);
      // A table with an ordering key sends its next batch only once the last one is
      // settled: a refused row must hold back the rows behind it.
      const blocked = definition.orderingKey.length > 0 && inFlight.some((push) => push.parts.some((part) => part.definition.name === table));
      if (blocked) return parts.length === 0 ? undefined : parts;
      const size = batchJsonBytes(entries);
      const joins = parts.length === 0 || (this.remote.pushTables !== undefined && !parts.some((part) => part.definition.name === table) && rows + entries.length <= limits.rows && bytes + size <= limits.bytes);
      if (!joins) break;
      waiting.shift();
      const sendable = this.holdBack(run, definition, entries);
      if (sendable.length === 0) continue;
      parts.push({ definition, entries: sendable });
      rows += sendable.length;
      bytes += size;
    }
    return parts;
  }

  /**
   * Pushes the batches of several tables in one request; each answer comes back as its
   * own push's would (a refusal of one table's push handled as {@link UploadStage.send}
   * handles a refused push). A request the cloud refuses whole — too large, or not
   * understood — goes again table by table.
   */
  private async sendTogether(run: UploadRun, parts: readonly PushPartInFlight[]): Promise<PushSent[]> {
    const pushes = parts.map((part) => ({
      table: part.definition.name,
      items: part.entries.map((entry) => ({ row: entry.row, base_version: entry.serverVersion ?? null })),
      // A table the device also pulls asks for its push's echo.
      echo: part.definition.direction === 'both',
    }));
    let answers;
    try {
      answers = await this.remote.pushTables!(pushes, run.expect);
    } catch (error) {
      if (error instanceof CloudNotAsExpectedError || !(error instanceof RemoteError) || error.retryable) throw error;
      return Promise.all(parts.map((part) => this.send(run, part.definition, part.entries)));
    }
    return Promise.all(
      answers.map((answer, index) =>
        'answer' in answer
          ? { outcomes: answer.answer.outcomes, echoes: answer.answer.echo === null ? [] : [answer.answer.echo] }
          : this.refused(run, parts[index]!.definition, parts[index]!.entries, answer.error),
      ),
    );
  }

  /**
   * The next entries, cut into pushes of one table each, at most `batchSize` rows and
   * `BATCH_BYTES`. Rows refused (or held back) earlier in the run are left out. While
   * pushes are in flight (`pastLastRead`), the read starts after the last entry read,
   * which leaves out every row in flight without naming them; once nothing is in flight
   * it starts from the queue's head again.
   */
  private read(run: UploadRun, pastLastRead = false): [string, OutboxEntry[]][] {
    const after = pastLastRead ? run.lastRead : undefined;
    const entries = this.store.readOutboxBatch({
      limit: this.options.batchSize,
      now: run.context.now(),
      skipRows: run.refused.rows(),
      ...(after === undefined ? {} : { after }),
    });
    const last = entries[entries.length - 1];
    if (last?.place !== undefined) run.lastRead = { place: last.place, seq: last.seq };
    return batchesByTable(entries, batchLimits(this.options.batchSize));
  }

  /**
   * Pushes one batch; the outcomes come back in the entries' order, `undefined` for an
   * entry settled here or not sent. A transport failure (retryable) ends the run. A push
   * gate's refusal pauses: nothing is marked, `paused` carries the cloud's reason. A
   * batch the cloud finds too large (it should not happen: batches are sized below its
   * caps) goes again in halves, down to a row, so it can never loop. Any other refusal
   * of the whole call (the function refused for this table, a table the cloud does not
   * have yet) is charged to the batch's rows — shown in `status.failed`, backing off —
   * so the other tables and the pull go on.
   */
  private async send(run: UploadRun, table: TableDefinition, entries: readonly OutboxEntry[]): Promise<PushSent> {
    // The batch read brought each row's base version along: no lookup per batch.
    const items = entries.map((entry) => ({ row: entry.row, base_version: entry.serverVersion ?? null }));
    try {
      // A table the device also pulls asks for the push's echo, so the pull need not bring these rows back.
      if (run.expect !== undefined && this.remote.pushExpecting !== undefined) {
        const { outcomes, echo } = await this.remote.pushExpecting(table.name, items, run.expect, table.direction === 'both');
        return { outcomes, echoes: echo === null ? [] : [echo] };
      }
      if (table.direction === 'both' && this.remote.pushWithEcho !== undefined) {
        const { outcomes, echo } = await this.remote.pushWithEcho(table.name, items);
        return { outcomes, echoes: echo === null ? [] : [echo] };
      }
      return { outcomes: await this.remote.push(table.name, items) };
    } catch (error) {
      return this.refused(run, table, entries, error);
    }
  }

  /**
   * What a push the cloud refused comes to. Not the rows' fault: a cloud not as expected
   * (the run probes and goes the ordinary way), a transport failure (the run ends) — both
   * thrown on; a gate's refusal pauses. A batch too large goes again in halves, down to a
   * row, so it can never loop. Any other refusal is charged to the batch's rows.
   */
  private async refused(run: UploadRun, table: TableDefinition, entries: readonly OutboxEntry[], error: unknown): Promise<PushSent> {
    if (error instanceof CloudNotAsExpectedError) throw error;
    if (error instanceof PushPausedError) return { outcomes: [], paused: error.reason };
    if (error instanceof PushTooLargeError && entries.length > 1) {
      const half = Math.ceil(entries.length / 2);
      const first = await this.send(run, table, entries.slice(0, half));
      if (first.paused !== undefined) return first;
      const second = await this.send(run, table, entries.slice(half));
      const outcomes = [...padded(first.outcomes, half), ...second.outcomes];
      const echoes = [...(first.echoes ?? []), ...(second.echoes ?? [])];
      return second.paused === undefined ? { outcomes, echoes } : { outcomes, echoes, paused: second.paused };
    }
    if (!(error instanceof RemoteError) || error.retryable) throw error;
    this.store.transaction(() => {
      for (const entry of entries) this.refuse(run, table, entry, error.message);
    });
    return { outcomes: [] };
  }

  /**
   * Drops from the batch the rows refused before they travel — a value outside its
   * column's limits (written with plain SQL), or a hook's refusal — and the rows waiting
   * behind a refused one with the same ordering key.
   */
  private holdBack(run: UploadRun, table: TableDefinition, entries: readonly OutboxEntry[]): OutboxEntry[] {
    const now = run.context.now();
    const waiting = new Map<string, Blocker>();
    if (table.orderingKey.length > 0) {
      for (const entry of this.store.records.waiting(table.name, now)) {
        const key = orderingKey(table, entry.row);
        if (!waiting.has(key)) waiting.set(key, { until: entry.nextAttemptAt, id: entry.id });
      }
    }
    const sendable: OutboxEntry[] = [];
    for (const entry of entries) {
      const key = table.orderingKey.length > 0 ? orderingKey(table, entry.row) : undefined;
      const refusedNow = key === undefined ? undefined : run.refused.blocker(table.name, key);
      const blocker = refusedNow ?? (key === undefined ? undefined : waiting.get(key));
      if (blocker !== undefined && blocker.id !== entry.id) {
        // Behind a row refused in this run: out of the run. Behind an older one: back when its retry is due.
        this.holdBehind(run, table, entry, blocker, refusedNow !== undefined);
        continue;
      }
      const refusal = this.refusal(table, entry.row);
      if (refusal === undefined) sendable.push(entry);
      else this.refuse(run, table, entry, refusal);
    }
    return sendable;
  }

  /** Why a row may not travel: its values break their limits (as the cloud would say), or a hook refuses it. */
  private refusal(table: TableDefinition, row: Row): string | undefined {
    const breach = rowLimitBreach(table, row);
    return breach === undefined ? this.validate(table.name, row) : describeBreach(breach);
  }

  private validate(table: string, row: Row): string | undefined {
    for (const hook of this.hooks.hooksFor(table)) {
      const reason = hook.validate?.(table, row);
      if (reason) return reason;
    }
    return undefined;
  }

  /** Marks a row refused: kept, backing off, shown in `status.failed`, and not sent again in this run. */
  private refuse(run: UploadRun, table: TableDefinition, entry: OutboxEntry, reason: string): void {
    const until = run.context.now() + backoffDelay(entry.attempts + 1, this.options.retry);
    this.store.failOutbox(entry.seq, reason, until);
    run.refused.add(table.name, entry.id, table.orderingKey.length > 0 ? orderingKey(table, entry.row) : undefined, until);
    run.counts.rejected += 1;
  }

  /**
   * Holds a row behind the refused row of its ordering key, without counting an attempt:
   * it is not at fault. `forTheRun`: its blocker will not be sent again in this run, so
   * neither is it (its deferral may end before the run does).
   */
  private holdBehind(run: UploadRun, table: TableDefinition, entry: OutboxEntry, blocker: Blocker, forTheRun: boolean): void {
    this.store.records.defer(entry.seq, `waiting for ${table.name} ${blocker.id}, which must upload first`, blocker.until);
    if (forTheRun) run.refused.hold(table.name, entry.id);
  }

  /**
   * Settles a batch's outcomes in order; returns a push gate's reason if the cloud
   * refused rows for it (those rows are left as they are, like a paused call's).
   */
  private applyOutcomes(run: UploadRun, table: TableDefinition, entries: readonly OutboxEntry[], outcomes: readonly (PushOutcome | undefined)[]): string | undefined {
    const acks: OutboxAck[] = [];
    let paused: string | undefined;
    entries.forEach((entry, index) => {
      const outcome = outcomes[index];
      if (outcome === undefined) return;
      switch (outcome.status) {
        case 'applied':
        case 'duplicate':
          acks.push({ seq: entry.seq, serverVersion: outcome.server_version, table: table.name, id: entry.id });
          run.counts.uploaded += 1;
          return;
        case 'rejected': {
          if (outcome.code === PUSH_PAUSED_CODE) {
            paused ??= outcome.reason;
            return;
          }
          const blocker = table.orderingKey.length > 0 ? run.refused.blocker(table.name, orderingKey(table, entry.row)) : undefined;
          if (blocker !== undefined && blocker.id !== entry.id) {
            this.holdBehind(run, table, entry, blocker, true);
            return;
          }
          this.refuse(run, table, entry, outcome.code ? `${outcome.reason} (${outcome.code})` : outcome.reason);
          return;
        }
        case 'conflict':
          run.counts.conflicts += 1;
          this.settleConflict(table, entry, outcome.row, run.context.now(), run.conflicted);
      }
    });
    this.store.ackOutbox(acks);
    return paused;
  }

  /** Tells the plugins' `afterUpload` hooks which rows the cloud now holds, as they were sent. */
  private async tellUploaded(table: string, entries: readonly OutboxEntry[], outcomes: readonly (PushOutcome | undefined)[]): Promise<void> {
    const hooks = this.hooks.hooksFor(table).filter((hook) => hook.afterUpload !== undefined);
    if (hooks.length === 0) return;
    const held = entries.filter((_, index) => outcomes[index]?.status === 'applied' || outcomes[index]?.status === 'duplicate').map((entry) => entry.row);
    if (held.length === 0) return;
    for (const hook of hooks) await hook.afterUpload!(table, held);
  }

  private settleConflict(table: TableDefinition, entry: OutboxEntry, remote: Row, now: number, conflictedThisRun: Set<number>): void {
    // A row changed again since this batch was read is left for its next upload, which meets the conflict afresh.
    if (this.store.records.info(table.name, [entry.id]).get(entry.id)?.pendingSeq !== entry.seq) return;
    const pick = resolveConflict({ store: this.store, hooks: this.hooks, table, local: entry.row, remote, now });
    if (pick === 'remote') this.store.applyRemote(table.name, [remote]);
    // A row the cloud keeps changing under us waits for the next run rather than looping in this one.
    if ((pick === 'local' || pick === 'merged') && conflictedThisRun.has(entry.seq)) {
      this.store.records.defer(entry.seq, 'changed in the cloud again during this run', now + this.options.retry.baseMs);
    }
    conflictedThisRun.add(entry.seq);
  }

  private definition(table: string): TableDefinition {
    const definition = this.store.tableDefinitions().find((candidate) => candidate.name === table);
    if (definition === undefined) throw new Error(`table "${table}" is not declared`);
    return definition;
  }
}
