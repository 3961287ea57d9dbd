import { injectable } from 'inversify';
import type { ConflictResolver } from '../declarations/index.js';
import type { Disposable } from './disposable.js';
import type { SyncHook, SyncHooks } from './sync-hooks.js';

/**
 * The default {@link SyncHooks}: an in-memory list. A second resolver for one table is
 * refused, since which one wins would be an accident of load order.
 *
 * @example
 * const hooks = new SyncHookRegistry();
 * const registration = hooks.register({ beforeUpload: () => undefined });
 */
@injectable()
export class SyncHookRegistry implements SyncHooks {
  private readonly hooks = new Set<SyncHook>();
  private readonly resolvers = new Map<string, ConflictResolver>();

  register(hook: SyncHook): Disposable {
    this.hooks.add(hook);
    return { dispose: () => void this.hooks.delete(hook) };
  }

  registerResolver(table: string, resolver: ConflictResolver): Disposable {
    if (this.resolvers.has(table)) throw new Error(`table "${table}" already has a conflict resolver`);
    this.resolvers.set(table, resolver);
    return { dispose: () => void (this.resolvers.get(table) === resolver && this.resolvers.delete(table)) };
  }

  hooksFor(table?: string): readonly SyncHook[] {
    return [...this.hooks].filter((hook) => table === undefined || hook.tables === undefined || hook.tables.includes(table));
  }

  resolverFor(table: string): ConflictResolver | undefined {
    return this.resolvers.get(table);
  }
}
