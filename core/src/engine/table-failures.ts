/**
 * One table's failure in a stage: the table, and the message, which may name it.
 *
 * @example
 * const failure: TableFailure = { table: 'notes', message: 'pull "notes" failed: JWT expired' };
 */
export interface TableFailure {
  readonly table: string;
  readonly message: string;
}

/**
 * The failures of several tables as one line, each cause said once: tables that failed
 * for the same reason are named together (`pull "a", "b" failed: JWT expired`), so an
 * expired token does not repeat itself once per table.
 *
 * @example
 * joinTableFailures([{ table: 'a', message: 'pull "a" failed: JWT expired' }, { table: 'b', message: 'pull "b" failed: JWT expired' }]);
 * // 'pull "a", "b" failed: JWT expired'
 */
export function joinTableFailures(failures: readonly TableFailure[]): string {
  const byCause = new Map<string, string[]>();
  for (const { table, message } of failures) {
    const named = `"${table}"`;
    const cause = message.includes(named) ? message.split(named).join('\u0000') : `${message} (\u0000)`;
    byCause.set(cause, [...(byCause.get(cause) ?? []), named]);
  }
  return [...byCause].map(([cause, tables]) => cause.split('\u0000').join(tables.join(', '))).join('; ');
}
