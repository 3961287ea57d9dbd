import { readFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import type { Row } from '@equinox-sync/core';

/**
 * Reads a JSON file holding one row (an object); throws a message naming the file and
 * what is wrong with it: not found, not readable, not JSON, or not an object.
 *
 * @example
 * const row = readJsonRow('merged.json'); // { id: '0190f2a4-…', name: 'Ada' }
 */
export function readJsonRow(file: string): Row {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read it (${code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: invalid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${file}: expected a JSON object (the row)`);
  return value as Row;
}

/**
 * `--row FILE`: a JSON file with one row, read and checked while the flags are parsed, so
 * a missing or broken file is a usage error (exit 2) that names the flag, the path and why.
 *
 * @example
 * static override flags = { row: jsonRowFlag({ summary: 'JSON file with the merged row.' }) };
 */
export const jsonRowFlag = Flags.custom<Row>({
  helpValue: 'FILE',
  parse: async (input) => readJsonRow(input),
});
