/**
 * Runs the bench's local cloud in its own process, as a real cloud is: its gateway
 * (an HTTP proxy in Node) then never shares an event loop, nor a core's time slice, with
 * the device code being measured. Prints the coordinates as one JSON line on stdout,
 * and stops the cloud when its stdin closes (the bench ended, or died).
 */
import { startLocalCloud } from '@equinox-sync/local-cloud';

export interface CloudCoordinatesLine {
  readonly url: string;
  readonly anonKey: string;
  readonly serviceKey: string;
  readonly jwtSecret: string;
  readonly pgUrl: string;
}

const cloud = await startLocalCloud();
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void cloud.stop().finally(() => process.exit(0));
};
process.stdin.on('end', stop).on('close', stop).resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
const line: CloudCoordinatesLine = { url: cloud.url, anonKey: cloud.anonKey, serviceKey: cloud.serviceKey, jwtSecret: cloud.jwtSecret, pgUrl: cloud.pgUrl };
process.stdout.write(`${JSON.stringify(line)}\n`);
