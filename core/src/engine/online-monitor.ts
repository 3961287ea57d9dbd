import { BehaviorSubject, Subscription, type Observable } from 'rxjs';
import type { RemoteHealth, RemoteStore } from '../remote/index.js';
import type { SyncOptions } from './sync-options.js';

/**
 * Whether the cloud answers: probed before every run (or read from the answer that
 * stood in for the probe), and every `offlineProbeMs` while offline so that coming back
 * online is noticed (and triggers a run). Online means the health probe answered within
 * `healthTimeoutMs`.
 *
 * @example
 * const monitor = new OnlineMonitor(remote, options, (online) => console.log(online));
 * const stop = monitor.start();
 */
export class OnlineMonitor {
  private readonly onlineSubject = new BehaviorSubject<boolean>(false);
  readonly online$: Observable<boolean> = this.onlineSubject.asObservable();
  private last: { health: RemoteHealth; at: number } | undefined;

  constructor(
    private readonly remote: RemoteStore,
    private readonly options: SyncOptions,
    private readonly onChange: (online: boolean) => void,
  ) {}

  async probe(): Promise<RemoteHealth> {
    const health = await this.remote.health(this.options.healthTimeoutMs);
    this.record(health);
    return health;
  }

  /**
   * Takes an answer that came another way as the last probe's (the health part of a run's
   * `pullMany`, or its transport failure as offline): the status and `recent` follow it.
   */
  record(health: RemoteHealth): void {
    this.last = { health, at: Date.now() };
    this.set(health.online);
  }

  /**
   * The last probe's answer if it came within `maxAgeMs`, found the cloud online with no
   * error, and nothing has marked the cloud offline since: what a run may go on instead
   * of probing again.
   */
  recent(maxAgeMs: number): RemoteHealth | undefined {
    const last = this.last;
    if (last === undefined || !this.onlineSubject.value || Date.now() - last.at > maxAgeMs) return undefined;
    return last.health.online && last.health.error === undefined ? last.health : undefined;
  }

  markOffline(): void {
    this.last = undefined;
    this.set(false);
  }

  /** Probes now, then keeps probing while offline. */
  start(): Subscription {
    let probing = false;
    const tick = (): void => {
      if (probing || this.onlineSubject.value) return;
      probing = true;
      void this.probe().finally(() => (probing = false));
    };
    tick();
    const timer = setInterval(tick, this.options.offlineProbeMs);
    timer.unref();
    return new Subscription(() => clearInterval(timer));
  }

  dispose(): void {
    this.onlineSubject.complete();
  }

  private set(online: boolean): void {
    if (this.onlineSubject.closed || this.onlineSubject.value === online) return;
    this.onlineSubject.next(online);
    this.onChange(online);
  }
}
