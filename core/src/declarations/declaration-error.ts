/**
 * What a problem's `table` names: a synced table (the default), a local table or a view.
 *
 * @example
 * const kind: DeclaredObjectKind = 'view';
 */
export type DeclaredObjectKind = 'table' | 'local table' | 'view';

/**
 * One problem found in a plugin's declaration, located by plugin, table (or local table,
 * or view: see `kind`) and field.
 *
 * @example
 * const problem: DeclarationProblem = { plugin: 'clients', table: 'clients', field: 'strategy', message: 'must be one of ...' };
 */
export interface DeclarationProblem {
  readonly plugin: string;
  /** The name of the table, local table or view the problem is in; `undefined` for the plugin's own fields. */
  readonly table: string | undefined;
  /** What `table` names; absent for a synced table. */
  readonly kind?: DeclaredObjectKind;
  readonly field: string;
  readonly message: string;
}

/**
 * Thrown when a declaration is invalid. The message lists every problem, one a line,
 * each naming the plugin, the table and the field.
 *
 * @example
 * try { definePlugin(decl); } catch (e) {
 *   if (e instanceof DeclarationError) console.error(e.problems[0]?.field);
 * }
 */
export class DeclarationError extends Error {
  override readonly name = 'DeclarationError';

  constructor(readonly problems: readonly DeclarationProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

function formatProblem(problem: DeclarationProblem): string {
  const where = problem.table === undefined ? '' : ` ${problem.kind ?? 'table'} "${problem.table}"`;
  return `plugin "${problem.plugin}"${where}, field "${problem.field}": ${problem.message}`;
}
