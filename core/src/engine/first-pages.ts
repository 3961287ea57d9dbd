import { MAX_PULL_MANY_TABLES, RemoteError, type PullCursor, type RemoteHealth, type RemoteStore } from '../remote/index.js';
import { isMissingFunction } from '../remote/remote-error-mapping.js';
import type { LocalStore } from '../store/index.js';
import type { RunScope } from './live-nudges.js';
import type { OnlineMonitor } from './online-monitor.js';
import type { FirstPages, PullStage } from './pull-stage.js';
import { withEchoes } from './push-echoes.js';
import type { RunContext } from './run-context.js';

/** A cloud found without `eq_pull_many` (an older schema) is asked again after this long, in case it was migrated. */
const PULL_MANY_RETRY_MS = 60 * 60_000;

/** SQLSTATE undefined_function: naming eq_pull_many, a function PostgREST still lists that the database no longer has. */
const UNDEFINED_FUNCTION = '42883';

/** What {@link FirstPagesReader} reads with. */
export interface FirstPagesSources {
  readonly store: LocalStore;
  readonly remote: RemoteStore;
  readonly pull: PullStage;
  readonly monitor: OnlineMonitor;
  readonly pageSize: number;
}

/**
 * Every table's first page in one `pullMany` (`eq_pull_many`), for the engine's runs: the
 * run with nothing to upload (its answer is the probe too) and the pull after an upload.
 * Remembers a cloud without the function, and does not ask it again for an hour.
 *
 * @example
 * const firstPages = new FirstPagesReader({ store, remote, pull, monitor, pageSize: 1000 });
 * const cursors = store.snapshot(() => firstPages.cursors(scope));
 * const many = cursors === undefined ? undefined : await firstPages.read(cursors);
 */
export class FirstPagesReader {
  private againAt = 0;

  constructor(private readonly sources: FirstPagesSources) {}

  /** The cursors a `pullMany` of this run asks with, or undefined when the run must ask the ordinary way. */
  cursors(scope: RunScope): Record<string, PullCursor | null> | undefined {
    if (this.sources.remote.pullMany === undefined || Date.now() < this.againAt) return undefined;
    const cursors = this.sources.pull.cursors(scope.tables);
    return Object.keys(cursors).length > MAX_PULL_MANY_TABLES ? undefined : cursors;
  }

  /**
   * The run's probe and first pages in one `pullMany` with `cursors` (from
   * {@link cursors}), when the cloud answers it. A transport failure is the
   * probe's failure (offline, like a probe that got no answer); undefined when the run
   * must ask the ordinary way: a cloud without `eq_pull_many` (not asked again for a
   * while), or a refusal, whose ordinary calls then tell table by table what is wrong.
   */
  async read(cursors: Readonly<Record<string, PullCursor | null>>): Promise<{ health: RemoteHealth; pages?: FirstPages } | undefined> {
    const { remote, monitor } = this.sources;
    if (remote.pullMany === undefined) return undefined;
    const started = Date.now();
    try {
      const answer = await remote.pullMany(cursors, this.sources.pageSize);
      monitor.record(answer.health);
      const pages = Object.fromEntries(Object.entries(answer.pages).map(([table, page]) => [table, { cursor: cursors[table] ?? null, page }]));
      return { health: answer.health, pages };
    } catch (failure) {
      if (!(failure instanceof RemoteError)) throw failure;
      if (failure.retryable) {
        const health: RemoteHealth = { online: false, latencyMs: Date.now() - started, error: failure };
        monitor.record(health);
        return { health };
      }
      if (isMissingFunction(failure) || (failure.code === UNDEFINED_FUNCTION && failure.message.includes('eq_pull_many'))) this.againAt = Date.now() + PULL_MANY_RETRY_MS;
      return undefined;
    }
  }

  /**
   * Every table's first page after the run's upload, in one `pullMany`: the cursors as
   * stored, each with the echoes of the run's pushes of its table (taken: the pull stage
   * does not send them again); no request when the run pulls no table. Undefined when
   * the pull must ask the ordinary way (no `pullMany`, a cloud without it, or no answer:
   * the pull's own requests then fail or succeed as ever).
   */
  async afterUpload(scope: RunScope, context: RunContext): Promise<FirstPages | undefined> {
    const stored = this.sources.store.snapshot(() => this.cursors(scope));
    if (stored === undefined) return undefined;
    // Nothing to pull (a device that only uploads): no request, and no pages to serve.
    if (Object.keys(stored).length === 0) return {};
    const asked = Object.fromEntries(Object.entries(stored).map(([table, cursor]) => [table, withEchoes(cursor, context.echoes.take(table))]));
    const answer = await this.read(asked);
    if (answer?.pages === undefined) {
      // The pull stage asks table by table: the echoes go with its requests instead.
      for (const [table, cursor] of Object.entries(asked)) for (const echo of cursor?.echo ?? []) context.echoes.add(table, echo);
      return undefined;
    }
    // Served for the cursor as stored, which is what the pull stage compares.
    return Object.fromEntries(Object.entries(answer.pages).map(([table, first]) => [table, { cursor: stored[table] ?? null, page: first.page }]));
  }
}
