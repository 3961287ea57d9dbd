import type { ConflictResolver, Row } from '../declarations/index.js';
import type { Disposable } from './disposable.js';

/**
 * Code a plugin hooks onto the pipeline's stages. Every member is optional; a hook may
 * be limited to some tables.
 *
 * @example
 * context.subscriptions.push(context.hooks.register({
 *   tables: ['clients'],
 *   validate: (table, row) => (String(row.email ?? '').includes('@') ? undefined : 'email is not valid'),
 * }));
 */
export interface SyncHook {
  /** Tables the hook applies to; all when absent. */
  readonly tables?: readonly string[];
  /** A reason to hold `row` back from upload (it is reported like a refused row), or undefined. */
  validate?(table: string, row: Row): string | undefined;
  /**
   * A reason to pause every upload of this run (pulls go on), or undefined to proceed.
   * Asked by runs with something to upload, and by every run while uploads are paused (so
   * the end of a pause shows at once); a run with nothing to send and nothing paused does
   * not ask. `gate.paused` says why uploads are paused now — by a hook, or by a cloud's
   * push gate that refused the last run's pushes — so a hook that keeps its last answer
   * for a while knows to decide afresh.
   */
  beforeUpload?(gate: UploadGateContext): string | undefined | Promise<string | undefined>;
  /** Told after a pulled page was applied (a page with no rows that left the cursor where it was is not told). */
  afterPull?(table: string, rows: readonly Row[]): void | Promise<void>;
  /**
   * Told after a push's outcomes were recorded, with the rows the cloud now holds (applied,
   * or found already there), as they were sent. A device does not pull its own pushes back
   * (the pull moves past them), so what it learns of the cloud from its own rows it learns here.
   */
  afterUpload?(table: string, rows: readonly Row[]): void | Promise<void>;
}

/**
 * What a `beforeUpload` hook is told about the uploads it guards.
 *
 * @example
 * context.hooks.register({
 *   beforeUpload: ({ paused }) => (paused === undefined && recentlyAllowed() ? undefined : askTheCloud()),
 * });
 */
export interface UploadGateContext {
  /** Why uploads are paused now (the last run's reason, a hook's or a cloud push gate's), or undefined. */
  readonly paused: string | undefined;
}

/** DI token of {@link SyncHooks}. */
export const SyncHooks = Symbol('SyncHooks');

/**
 * The hooks and custom conflict resolvers plugins registered. Each `register*` returns a
 * Disposable that removes the registration.
 *
 * @example
 * const registration = hooks.registerResolver('counters', ({ local, remote }) => ({ pick: 'local' }));
 * registration.dispose();
 */
export interface SyncHooks {
  register(hook: SyncHook): Disposable;
  registerResolver(table: string, resolver: ConflictResolver): Disposable;
  /** The hooks that apply to `table` (all hooks when absent). */
  hooksFor(table?: string): readonly SyncHook[];
  resolverFor(table: string): ConflictResolver | undefined;
}
