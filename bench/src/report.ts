import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { formatMs } from './measure.js';

/** One line of the table. */
export interface ResultRow {
  readonly case: string;
  readonly variant: string;
  /** Rows the variant moved. */
  readonly rows: number;
  /** Median time in ms (for the scale case: the single run). */
  readonly medianMs: number;
  readonly samplesMs: readonly number[];
  /** Rows per second at the median. */
  readonly rowsPerSec?: number;
  /** This variant's speed divided by the reference's (higher is better), and what the reference is. */
  readonly ratio?: { readonly value: number; readonly against: string };
  /** Anything else worth a column: requests, peak RSS, "extrapolated". */
  readonly note?: string;
  readonly extra?: Readonly<Record<string, number | string | boolean>>;
}

/** A target of the issue, checked against this run's figures. */
export interface TargetCheck {
  readonly case: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface CaseReport {
  readonly rows: ResultRow[];
  readonly targets: TargetCheck[];
  readonly notes: string[];
}

/** A table line; rows/s is derived from the rows and the median unless given (`undefined`: not a throughput). */
export function row(input: Omit<ResultRow, 'rowsPerSec'> & { rowsPerSec?: number | undefined }): ResultRow {
  const rowsPerSec = 'rowsPerSec' in input ? input.rowsPerSec : input.medianMs > 0 && input.rows > 0 ? (input.rows * 1000) / input.medianMs : undefined;
  const { rowsPerSec: _given, ...rest } = input;
  return { ...rest, ...(rowsPerSec === undefined ? {} : { rowsPerSec }) };
}

/** Speed ratio of `subject` over `reference` for the same amount of work: time(reference) / time(subject). */
export function speedRatio(subject: ResultRow, reference: ResultRow): number {
  return (reference.medianMs / reference.rows) / (subject.medianMs / subject.rows);
}

export function machine(): Record<string, string | number> {
  const model = /model name\s*:\s*(.+)/.exec(safeRead('/proc/cpuinfo'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return {
    node: process.version,
    cores: cpus().length,
    cpu: model.trim(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage1m: Number(loadavg()[0]?.toFixed(2)),
    platform: `${process.platform} ${process.arch}`,
  };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The results as a Markdown table (readable on a terminal, pasteable into the README). */
export function formatTable(rows: readonly ResultRow[], targets: readonly TargetCheck[]): string {
  const header = ['case', 'variant', 'rows', 'median', 'rows/s', 'ratio', 'note'];
  const lines = rows.map((r) => [
    r.case,
    r.variant,
    r.rows.toLocaleString('en-US'),
    formatMs(r.medianMs),
    r.rowsPerSec === undefined ? '' : Math.round(r.rowsPerSec).toLocaleString('en-US'),
    r.ratio === undefined ? '' : `${formatRatio(r.ratio.value)} of ${r.ratio.against}`,
    r.note ?? '',
  ]);
  const targetHeader = ['case', 'target', 'measured', 'met'];
  const targetLines = targets.map((t) => [t.case, t.target, t.measured, t.met ? 'yes' : 'NO']);
  return targets.length === 0 ? `${markdown(header, lines)}\n` : `${markdown(header, lines)}\n\n${markdown(targetHeader, targetLines)}\n`;
}

export function formatRatio(value: number): string {
  return value >= 10 ? `${value.toFixed(0)}×` : `${value.toFixed(2)}×`;
}

function markdown(header: readonly string[], lines: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i] ?? '').length)));
  const render = (cells: readonly string[]): string => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [render(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(render)].join('\n');
}
