import { Subject, delay, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { exhaustMapWithTrailing } from './exhaust-map-with-trailing.js';
import { syncTriggers } from './run-triggers.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

const reasons = { m: 'manual', l: 'local-change', b: 'back-online', i: 'interval' } as const;

describe('syncTriggers', () => {
  it('debounces a burst of local changes into one trigger', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const online$ = hot('o', { o: true });
      const changes$ = hot('-a-a-a------|');
      const triggers = syncTriggers({ manual$: cold('|'), localChange$: changes$, online$ }, { debounceMs: 3, intervalMs: 1000 });
      expectObservable(triggers, '^ 20ms !').toBe('--------l---', reasons);
    });
  });

  it('fires on the interval while online, and not while offline', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const online$ = hot('o------f-------', { o: true, f: false });
      const triggers = syncTriggers({ manual$: cold('-'), localChange$: cold('-'), online$ }, { debounceMs: 1, intervalMs: 3 });
      expectObservable(triggers, '^ 14ms !').toBe('---i--i--------', reasons);
    });
  });

  it('drops local-change triggers while offline and fires when the cloud comes back', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const online$ = hot('f-------o--', { o: true, f: false });
      const changes$ = hot('-a--------');
      const triggers = syncTriggers({ manual$: cold('-'), localChange$: changes$, online$ }, { debounceMs: 2, intervalMs: 1000 });
      expectObservable(triggers, '^ 10ms !').toBe('--------b--', reasons);
    });
  });

  it('passes manual triggers at once, online or not', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const online$ = hot('f----', { f: false });
      const manual$ = hot('-x-x-');
      const triggers = syncTriggers({ manual$, localChange$: hot('-'), online$ }, { debounceMs: 2, intervalMs: 1000 });
      expectObservable(triggers, '^ 4ms !').toBe('-m-m-', reasons);
    });
  });
});

describe('exhaustMapWithTrailing', () => {
  it('never overlaps runs and runs once more for triggers that came during a run', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const triggers$ = hot('a-bcd-------e--|');
      const runs = triggers$.pipe(exhaustMapWithTrailing((t) => of(t).pipe(delay(4))));
      expectObservable(runs).toBe('----a---d---' + '----(e|)');
    });
  });

  it('counts one run at a time for ten simultaneous triggers', async () => {
    const triggers$ = new Subject<number>();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const done = new Promise<void>((resolve) => {
      triggers$
        .pipe(
          exhaustMapWithTrailing(() => {
            runs += 1;
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            return (async () => {
              await new Promise((r) => setTimeout(r, 20));
              running -= 1;
            })();
          }),
        )
        .subscribe({ complete: resolve });
    });
    for (let i = 0; i < 10; i++) triggers$.next(i);
    triggers$.complete();
    await done;
    expect(maxRunning).toBe(1);
    expect(runs).toBe(2); // the first, then one trailing run for the nine that came during it
  });
});
