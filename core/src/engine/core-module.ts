import { ContainerModule } from 'inversify';
import { PullStage } from './pull-stage.js';
import { SyncEngine } from './sync-engine.js';
import { SyncHookRegistry } from './sync-hook-registry.js';
import { SyncHooks } from './sync-hooks.js';
import { UploadStage } from './upload-stage.js';

/**
 * The engine's bindings. The host binds what only it knows: `LocalStore` (the opened
 * store), `RemoteStore` (the cloud adapter) and `SyncOptions`.
 *
 * @example
 * const container = new Container();
 * container.bind(LocalStore).toConstantValue(store);
 * container.bind(RemoteStore).toConstantValue(remote);
 * container.bind(SyncOptions).toConstantValue(DEFAULT_SYNC_OPTIONS);
 * await container.load(coreModule);
 * const engine = container.get(SyncEngine);
 */
export const coreModule = new ContainerModule(({ bind }) => {
  bind(SyncHookRegistry).toSelf().inSingletonScope();
  bind(SyncHooks).toService(SyncHookRegistry);
  bind(UploadStage).toSelf().inSingletonScope();
  bind(PullStage).toSelf().inSingletonScope();
  bind(SyncEngine).toSelf().inSingletonScope();
});
