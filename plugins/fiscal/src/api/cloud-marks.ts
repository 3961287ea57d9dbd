import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How far the cloud was seen to hold one installation's chain: its length and the huella
 * of its last link. A later copy shorter than this lost its tail.
 *
 * @example
 * const mark: CloudMark = { links: 3, lastHash: '8F1C…' };
 */
export interface CloudMark {
  readonly links: number;
  readonly lastHash: string;
}

/** The marks' file name in the plugin's storage folder. */
export const CLOUD_MARKS_FILE = 'cloud-chains.json';

/**
 * What the device has seen the cloud hold, per installation, kept in the plugin's
 * private storage folder: raised by every pull of invoices (the cloud echoes each
 * upload back) and by every clean `verify({ remote: true })`. A chain cannot show its
 * own missing tail; this memory can, since marks only ever rise.
 *
 * @example
 * const marks = new CloudMarks(context.storageDir);
 * marks.raise(new Map([['till-1', { links: 3, lastHash }]]));
 * marks.read().get('till-1'); // { links: 3, lastHash }
 */
export class CloudMarks {
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, CLOUD_MARKS_FILE);
  }

  read(): Map<string, CloudMark> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw error;
    }
    let parsed: { chains?: Record<string, CloudMark> };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // A damaged file only forgets what was seen, as a missing one does; the next pull restores it.
      return new Map();
    }
    return new Map(Object.entries(parsed.chains ?? {}).filter(([, mark]) => Number.isSafeInteger(mark.links) && typeof mark.lastHash === 'string'));
  }

  /** Keeps, per installation, the longer of the stored mark and the given one. */
  raise(seen: ReadonlyMap<string, CloudMark>): void {
    if (seen.size === 0) return;
    const marks = this.read();
    let changed = false;
    for (const [chain, mark] of seen) {
      if (mark.links > (marks.get(chain)?.links ?? 0)) {
        marks.set(chain, mark);
        changed = true;
      }
    }
    if (!changed) return;
    // Written aside and renamed: a crash leaves the old file or the new one, never half of one.
    const next = `${this.path}.${process.pid}.tmp`;
    writeFileSync(next, JSON.stringify({ version: 1, chains: Object.fromEntries(marks) }), { mode: 0o600 });
    renameSync(next, this.path);
  }
}

/**
 * The highest link per installation among `rows` (pulled or exported records).
 *
 * @example
 * marks.raise(marksOf(pulledRows));
 */
export function marksOf(rows: Iterable<{ readonly installation_id?: unknown; readonly chain_index?: unknown; readonly hash?: unknown }>): Map<string, CloudMark> {
  const marks = new Map<string, CloudMark>();
  for (const row of rows) {
    const chain = row.installation_id;
    const links = Number(row.chain_index);
    if (typeof chain !== 'string' || !Number.isSafeInteger(links) || typeof row.hash !== 'string') continue;
    if (links > (marks.get(chain)?.links ?? 0)) marks.set(chain, { links, lastHash: row.hash });
  }
  return marks;
}
