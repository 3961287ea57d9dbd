import type { EquinoxConfig } from '@equinox-sync/config';
import type {
  ConflictChoice,
  ConflictRecord,
  PluginApiToken,
  PluginDefinition,
  ReconcileOptions,
  RegisteredPanel,
  ReconcileResult,
  ScopedStore,
  SyncRunResult,
  SyncState,
  SyncStatus,
  SyncTrigger,
} from '@equinox-sync/core';
import type { Observable } from 'rxjs';
import type { RecordedRun } from '../inspector/inspector-state.js';
import type { QueuedTable } from '../inspector/pending-uploads.js';
import type { PluginInfo } from '../plugins/plugin-info.js';
import type { HeldDelete } from './held-delete.js';

/**
 * A running equinox host: the device's database, its plugins and the sync engine. Made
 * by `createHost`; `start()` starts automatic sync, `dispose()` releases everything.
 *
 * @example
 * const host = await createHost({ config: 'equinox.config.json' });
 * await host.start();
 * host.store('@acme/equinox-clients').insert('clients', { name: 'Ada' });
 * const result = await host.syncNow();
 * await host.dispose();
 */
export interface EquinoxHost {
  /** The validated configuration, paths resolved. */
  readonly config: EquinoxConfig;
  /** Starts automatic sync: the interval, local changes (at once), coming back online, and live nudges (`status.live`). Idempotent. */
  start(): Promise<void>;
  /** Runs a sync now (or after the one running) and tells what it did. */
  syncNow(): Promise<SyncRunResult>;
  /** Asks the cloud whether it answers, updating `status.online`; nothing is synced. */
  probe(): Promise<boolean>;
  /**
   * Compares the device with the cloud by hash ranges (every table, or `table`) and queues
   * the repairs: rows the cloud lacks or holds older are uploaded again, rows the device
   * lacks are pulled; nothing is deleted. Runs inside the next sync run.
   */
  reconcile(options?: ReconcileOptions): Promise<ReconcileResult>;
  /** The sync status; replays the current one, completes on dispose. */
  readonly status$: Observable<SyncStatus>;
  readonly status: SyncStatus;
  /** Every finished run: what started it and what it did. Completes on dispose. */
  readonly runs$: Observable<{ readonly trigger: SyncTrigger; readonly result: SyncRunResult }>;
  /**
   * The device's recent runs, oldest first: the last `limit` (default 100) of the 500 the
   * database keeps. Every host records its runs, so these include earlier processes'
   * (`equinox sync`, `equinox watch`, another app on the same file).
   *
   * @example
   * const slow = host.recentRuns(20).filter((run) => run.durationMs > 5000);
   */
  recentRuns(limit?: number): RecordedRun[];
  /**
   * Fires when the device's data may have changed outside a run: a write to a synced table
   * through this host at once, and any commit by another program to the database file
   * within 250 ms. Finished runs are on `runs$`. Completes on dispose.
   *
   * @example
   * host.changes$.subscribe(() => view.refresh());
   */
  readonly changes$: Observable<void>;
  /**
   * The upload queue per table (tables with nothing waiting left out): how many changes
   * wait, backing-off ones included (rows in conflict wait in `conflicts` instead), and the
   * first `rowsPerTable` (default 20) in upload order, each with its row as it is now.
   *
   * @example
   * for (const part of host.pendingUploads({ rowsPerTable: 5 })) console.log(part.table, part.count);
   */
  pendingUploads(options?: { readonly rowsPerTable?: number }): QueuedTable[];
  /**
   * The inspector panels the active plugins registered, in registration order: each
   * panel's plugin, and the panel (`id`, `title`, `load()`, `actions`).
   *
   * @example
   * for (const { plugin, panel } of host.panels()) console.log(plugin, panel.title, (await panel.load()).summary);
   */
  panels(): readonly RegisteredPanel[];
  /** An active plugin's store: its tables only. */
  store(plugin: string): ScopedStore;
  /** The conflict inbox (tables with the `Manual` strategy, or a resolver that left it to a person). */
  readonly conflicts: {
    list(): ConflictRecord[];
    /** Settles conflicts by picking `local`, `remote` or a `merged` row; returns how many. */
    resolve(choices: readonly ConflictChoice[]): number;
  };
  /** Local deletes held until confirmed: sync never deletes cloud data unasked. */
  readonly deletes: {
    /** Each held delete with the row it removes, oldest first. */
    list(): HeldDelete[];
    confirm(ids: readonly string[] | 'all'): number;
  };
  /**
   * Where one record stands with the cloud: `Synced`, `PendingUpload`, `PendingDownload`
   * or `Conflict`; `undefined` for a record the device does not know. Throws for a table
   * no loaded plugin declares.
   *
   * @example
   * if (host.rowState('clients', id) === 'PendingUpload') badge.set('not sent yet');
   */
  rowState(table: string, id: string): SyncState | undefined;
  /**
   * The API an active plugin returned from `activate` (VS Code's `extension.exports`),
   * typed by the plugin's exported token (or, untyped, by its package name).
   *
   * @example
   * const clients = host.api(ClientsApi); // ClientsApi = pluginApi<ClientsApi>('@acme/equinox-clients')
   */
  api<T>(api: PluginApiToken<T> | string): T;
  /** Every plugin found, active or failed (with why), in load order. */
  plugins(): PluginInfo[];
  /** The active plugins' definitions, e.g. for `compileServerSchema`. */
  definitions(): PluginDefinition[];
  /** Stops sync, deactivates the plugins, closes the database. Idempotent. */
  dispose(): Promise<void>;
}
