import { defer, Observable, type ObservableInput, type OperatorFunction } from 'rxjs';

/**
 * Like `exhaustMap`, runs one inner observable at a time and ignores triggers while one
 * runs — but remembers that one came, and runs once more when the current one ends.
 * A change made during a sync run is therefore never left waiting for the next interval,
 * and ten triggers during a run still cause at most one more run.
 *
 * @example
 * triggers$.pipe(exhaustMapWithTrailing(() => runOnce()));
 */
export function exhaustMapWithTrailing<T, R>(project: (value: T) => ObservableInput<R>): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let running = false;
      let pending: { value: T } | undefined;
      let sourceDone = false;
      const inner = new Set<{ unsubscribe(): void }>();

      const start = (value: T): void => {
        running = true;
        const subscription = defer(() => project(value)).subscribe({
          next: (result) => subscriber.next(result),
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            inner.delete(subscription);
            running = false;
            if (pending) {
              const next = pending.value;
              pending = undefined;
              start(next);
            } else if (sourceDone) {
              subscriber.complete();
            }
          },
        });
        if (running) inner.add(subscription);
      };

      const outer = source.subscribe({
        next: (value) => {
          if (running) pending = { value };
          else start(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          if (!running) subscriber.complete();
        },
      });
      return () => {
        outer.unsubscribe();
        for (const subscription of inner) subscription.unsubscribe();
      };
    });
}
