import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { restrictFile } from './private-files.js';

/**
 * Where a local cloud's log lines come from.
 *
 * @example
 * const onLog = (source: LogSource, line: string) => console.log(`[${source}] ${line}`);
 */
export type LogSource = 'postgres' | 'postgrest' | 'realtime';

/**
 * Log lines to `<dataDir>/logs/<source>.log` (0600), the caller's handler, and a short
 * tail for error messages.
 *
 * @example
 * const logs = new CloudLogs(dataDir, undefined);
 * logs.write('postgres', 'ready');
 */
export class CloudLogs {
  private readonly files = new Map<string, WriteStream>();
  private readonly recent: string[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly onLog: ((source: LogSource, line: string) => void) | undefined,
  ) {}

  write(source: LogSource, line: string): void {
    let file = this.files.get(source);
    if (!file) {
      const path = join(this.dataDir, 'logs', `${source}.log`);
      restrictFile(path);
      file = createWriteStream(path, { flags: 'a', mode: 0o600 });
      file.on('error', () => undefined);
      this.files.set(source, file);
    }
    file.write(line.endsWith('\n') ? line : `${line}\n`);
    this.recent.push(`[${source}] ${line.trimEnd()}`);
    if (this.recent.length > 30) this.recent.shift();
    this.onLog?.(source, line);
  }

  tail(): string {
    return this.recent.join('\n');
  }

  close(): void {
    for (const file of this.files.values()) file.end();
    this.files.clear();
  }
}
