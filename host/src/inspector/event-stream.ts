import type { ServerResponse } from 'node:http';
import { auditTime, map, merge, skip, Subscription, type Observable } from 'rxjs';
import type { EquinoxHost } from '../host/equinox-host.js';
import { answerHead } from './http-answers.js';

/** A comment line this often keeps proxies and the browser from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000;
/** Changes this close together make one `changed` event: a run and the writes around it are one refetch. */
const CHANGED_COALESCE_MS = 100;

/**
 * Streams the device's life to the page (`GET <base>api/events`, Server-Sent Events):
 * `status` with the status on every emission (the current one first), `changed` (after a
 * fresh `status`) after every run, every action of the page (`actions$`) and every change
 * to the database, and a comment every {@link KEEP_ALIVE_MS}. Ends when the host is disposed; returns what
 * stops it.
 *
 * @example
 * const stop = streamEvents(response, host, actions$);
 * request.on('close', stop);
 */
export function streamEvents(response: ServerResponse, host: EquinoxHost, actions$: Observable<void>): () => void {
  answerHead(response, 200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
  let stopped = false;
  const send = (event: string, data: unknown): void => {
    if (!stopped) response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  // Tells the browser how soon to reconnect when the stream drops (the server restarted).
  response.write('retry: 2000\n\n');
  const subscription = new Subscription();
  const timer = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  timer.unref();
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    subscription.unsubscribe();
    response.end();
  };
  // The status read now first: the stream's replayed one may be older than the last local write.
  send('status', host.status);
  subscription.add(host.status$.pipe(skip(1)).subscribe({ next: (status) => send('status', status), complete: stop }));
  subscription.add(
    merge(host.runs$.pipe(map(() => undefined)), host.changes$, actions$)
      .pipe(auditTime(CHANGED_COALESCE_MS))
      .subscribe(() => {
        if (stopped) return;
        send('status', host.status);
        send('changed', {});
      }),
  );
  return stop;
}
