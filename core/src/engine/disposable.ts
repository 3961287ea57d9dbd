/**
 * Something that holds a resource or a registration until disposed.
 *
 * @example
 * const registration: Disposable = hooks.register(hook);
 * registration.dispose();
 */
export interface Disposable {
  dispose(): void;
}

/**
 * Owns several disposables and disposes them in reverse order, once.
 *
 * @example
 * const owned = new DisposableCollection();
 * owned.push(hooks.register(hook));
 * owned.dispose();
 */
export class DisposableCollection implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  push(...items: Disposable[]): void {
    if (this.disposed) {
      for (const item of items) item.dispose();
      return;
    }
    this.items.push(...items);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const item of this.items.splice(0).reverse()) item.dispose();
  }
}
