import type { EquinoxConfig } from '@equinox-sync/config';
import {
  apiPluginName,
  InspectorPanelRegistry,
  SchemaMigrationError,
  SyncEngine,
  type ConflictChoice,
  type ConflictRecord,
  type PluginApiToken,
  type PluginDefinition,
  type ReconcileOptions,
  type ReconcileResult,
  type RegisteredPanel,
  type Row,
  type ScopedStore,
  type SyncRunResult,
  type SyncState,
  type SyncStatus,
  type SyncTrigger,
} from '@equinox-sync/core';
import { inject, injectable, optional } from 'inversify';
import { ReplaySubject, takeUntil, type Observable } from 'rxjs';
import { databaseChanges } from '../inspector/database-changes.js';
import type { RecordedRun } from '../inspector/inspector-state.js';
import { readPendingUploads, type QueuedTable } from '../inspector/pending-uploads.js';
import { RunHistory } from '../inspector/run-history.js';
import { activates, HostActivation } from '../plugins/activation-events.js';
import { PluginActivator } from '../plugins/plugin-activator.js';
import { pluginInfo, type LoadedPlugin, type PluginInfo } from '../plugins/plugin-info.js';
import { PluginLoader } from '../plugins/plugin-loader.js';
import { DeviceStore } from './device-store.js';
import type { EquinoxHost } from './equinox-host.js';
import type { HeldDelete } from './held-delete.js';
import { HostConfig } from './host-config.js';
import { HostContainer } from './host-container.js';
import { HostLogger } from './host-logger.js';

/** A plugin's place in load order, with how far it got. */
type Entry = { info: PluginInfo; plugin?: LoadedPlugin };

/**
 * The host's lifecycle behind {@link EquinoxHost}: `boot()` loads the plugins, opens the
 * database with their tables, activates those whose activation event happened
 * (`onStartup`, or `onCommand:<id>` of the command the host is opened for), leaving out
 * any that fails and reopening the database without its tables, and makes the sync
 * engine; `start()` and `dispose()` are idempotent. A plugin not activated keeps its
 * tables open and synced.
 *
 * @example
 * const host = container.get(HostService);
 * await host.boot();
 */
@injectable()
export class HostService implements EquinoxHost {
  private entries: Entry[] = [];
  private engine: SyncEngine | undefined;
  private disposing: Promise<void> | undefined;
  private history: RunHistory | undefined;
  private changes: Observable<void> | undefined;
  /** Replays, so that `changes$` taken after dispose completes at once. */
  private readonly disposed = new ReplaySubject<void>(1);

  readonly conflicts = {
    list: (): ConflictRecord[] => this.sync().listConflicts(),
    resolve: (choices: readonly ConflictChoice[]): number => this.sync().resolveConflicts(choices),
  };

  readonly deletes = {
    list: (): HeldDelete[] => this.sync().listPendingDeletes().map((held) => ({ ...held, row: this.heldRow(held.table, held.id) })),
    confirm: (ids: readonly string[] | 'all'): number => this.sync().confirmDeletes(ids),
  };

  constructor(
    @inject(HostConfig) private readonly host: HostConfig,
    @inject(PluginLoader) private readonly loader: PluginLoader,
    @inject(PluginActivator) private readonly activator: PluginActivator,
    @inject(DeviceStore) private readonly stores: DeviceStore,
    @inject(HostContainer) private readonly container: HostContainer,
    @inject(HostLogger) private readonly logger: HostLogger,
    @inject(InspectorPanelRegistry) private readonly registry: InspectorPanelRegistry,
    // Optional, so a container wired by hand with `hostModule` opens a host for no command.
    @inject(HostActivation) @optional() private readonly activation: HostActivation = { command: undefined },
  ) {}

  get config(): EquinoxConfig {
    return this.host.config;
  }

  get status$(): Observable<SyncStatus> {
    return this.booted().status$;
  }

  get status(): SyncStatus {
    return this.booted().status;
  }

  get runs$(): Observable<{ trigger: SyncTrigger; result: SyncRunResult }> {
    return this.booted().onDidRun;
  }

  /** Loads, opens and activates; on a failure that is not one plugin's, releases what it made and throws. */
  async boot(): Promise<void> {
    try {
      this.entries = (await this.loader.loadAll()).map((result) =>
        'loaded' in result ? { info: pluginInfo(result.loaded), plugin: result.loaded } : { info: result.failed },
      );
      this.openStore();
      let leftOut = false;
      for (const entry of this.loaded()) {
        if (!activates(entry.plugin.manifest.activationEvents, this.activation)) {
          entry.info = { ...entry.info, state: 'inactive' };
          continue;
        }
        try {
          await this.activator.activate(entry.plugin, (token) => this.api(token));
        } catch (error) {
          this.fail(entry, `activate failed: ${error instanceof Error ? error.message : String(error)}`);
          leftOut = true;
        }
      }
      // The failed plugins' tables must not sync: the engine syncs the tables the store was opened with.
      if (leftOut) this.stores.open(this.definitions());
      this.engine = this.container.get(SyncEngine);
      this.recordRuns(this.engine);
      this.changes = databaseChanges(this.stores.current).pipe(takeUntil(this.disposed));
    } catch (error) {
      await this.dispose();
      throw error;
    }
  }

  async start(): Promise<void> {
    if (this.disposing) throw new Error('the host is disposed');
    this.sync().start();
  }

  async syncNow(): Promise<SyncRunResult> {
    return this.sync().syncNow();
  }

  async probe(): Promise<boolean> {
    return this.sync().probe();
  }

  reconcile(options: ReconcileOptions = {}): Promise<ReconcileResult> {
    return this.sync().reconcile(options);
  }

  rowState(table: string, id: string): SyncState | undefined {
    this.sync();
    return this.stores.current.rowState(table, id);
  }

  recentRuns(limit = 100): RecordedRun[] {
    this.sync();
    return this.history?.recent(limit) ?? [];
  }

  get changes$(): Observable<void> {
    this.booted();
    return this.changes as Observable<void>;
  }

  pendingUploads(options: { readonly rowsPerTable?: number } = {}): QueuedTable[] {
    this.sync();
    return readPendingUploads(this.stores.current, this.definitions(), options.rowsPerTable ?? 20);
  }

  panels(): readonly RegisteredPanel[] {
    return this.registry.list();
  }

  store(plugin: string): ScopedStore {
    const entry = this.entries.find((candidate) => candidate.info.name === plugin);
    if (entry?.info.state === 'failed') throw new Error(`plugin "${plugin}" is not active: ${entry.info.error}`);
    return this.stores.current.forPlugin(plugin);
  }

  api<T>(token: PluginApiToken<T> | string): T {
    const plugin = apiPluginName(token);
    const entry = this.entries.find((candidate) => candidate.info.name === plugin);
    if (entry === undefined) throw new Error(`no plugin "${plugin}" is loaded`);
    if (entry.info.state === 'failed') throw new Error(`plugin "${plugin}" is not active: ${entry.info.error}`);
    if (entry.info.state === 'inactive') {
      throw new Error(`plugin "${plugin}" is not active: it activates on ${entry.info.activationEvents?.join(', ')}, and this host was opened ${this.openedFor()}`);
    }
    // Asked from another plugin's `activate`, before this one's turn in load order.
    if (!this.activator.isActive(plugin)) throw new Error(`plugin "${plugin}" is not active yet: plugins activate in load order, so ask for its API when it is needed`);
    const exports = this.activator.exportsOf(plugin);
    if (exports === undefined) throw new Error(`plugin "${plugin}" offers no API (its activate returned nothing)`);
    return exports as T;
  }

  plugins(): PluginInfo[] {
    return this.entries.map((entry) => entry.info);
  }

  definitions(): PluginDefinition[] {
    return this.loaded().map((entry) => entry.plugin.definition);
  }

  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      await this.engine?.dispose();
      this.disposed.next();
      this.disposed.complete();
      await this.activator.deactivateAll();
      this.stores.close();
    })();
    return this.disposing;
  }

  /**
   * Opens the database with every loaded plugin's tables. A plugin whose tables cannot
   * be migrated forward is left out and the others are opened without it.
   */
  private openStore(): void {
    for (;;) {
      try {
        this.stores.open(this.definitions());
        return;
      } catch (error) {
        const entry = error instanceof SchemaMigrationError ? this.loaded().find((e) => e.info.name === error.plugin) : undefined;
        if (entry === undefined) throw error;
        this.fail(entry, (error as SchemaMigrationError).message);
      }
    }
  }

  /**
   * Keeps every finished run in the device's database, so a later `equinox inspect`
   * charts it. Keeping it is not worth failing the host or a run for: a write that fails
   * (the file locked by another program for longer than the busy timeout) is logged and
   * skipped.
   */
  private recordRuns(engine: SyncEngine): void {
    const unrecorded = (error: unknown): void => this.logger.warn(`the run history is not kept: ${error instanceof Error ? error.message : String(error)}`);
    try {
      this.history = new RunHistory(this.stores.current.database);
    } catch (error) {
      unrecorded(error);
      return;
    }
    const history = this.history;
    engine.onDidRun.subscribe(({ trigger, result }) => {
      try {
        history.record(trigger, result);
      } catch (error) {
        unrecorded(error);
      }
    });
  }

  /** The row a held delete removes, read through its plugin's store (deleted rows included); null when it is gone. */
  private heldRow(table: string, id: string): Row | null {
    const owner = this.loaded().find((entry) => entry.plugin.definition.tables.some((candidate) => candidate.name === table));
    if (owner === undefined) return null;
    return this.stores.current.forPlugin(owner.plugin.definition.name).get(table, id, { includeDeleted: true }) ?? null;
  }

  private fail(entry: Entry, error: string): void {
    entry.info = { ...entry.info, state: 'failed', error };
    delete entry.plugin;
    this.logger.error(`plugin "${entry.info.name}" left out: ${error}`);
  }

  /** The plugins whose tables are open, activated or not. */
  private loaded(): Array<Required<Entry>> {
    return this.entries.filter((entry): entry is Required<Entry> => entry.plugin !== undefined);
  }

  private openedFor(): string {
    return this.activation.command === undefined ? 'for no command' : `for the command "${this.activation.command.split(':').join(' ')}"`;
  }

  /** The engine, for what needs the open database. */
  private sync(): SyncEngine {
    if (this.disposing) throw new Error('the host is disposed');
    return this.booted();
  }

  private booted(): SyncEngine {
    if (this.engine === undefined) throw new Error('the host is not booted');
    return this.engine;
  }
}
