import Table from 'cli-table3';

/**
 * Prints rows as a readable table for humans; prints nothing in `--json` mode (the
 * command returns the data instead).
 *
 * @example
 * printTable(this, ['sku', 'quantity'], levels.map((l) => [l.sku, String(l.quantity)]));
 */
export function printTable(command: { log(message?: string): void }, head: readonly string[], rows: readonly (readonly string[])[]): void {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  for (const row of rows) table.push([...row]);
  command.log(table.toString());
}
