/**
 * One problem found in a plugin's declaration, located by plugin, table and field.
 *
 * @example
 * const problem: DeclarationProblem = { plugin: 'clients', table: 'clients', field: 'strategy', message: 'must be one of ...' };
 */
export interface DeclarationProblem {
  readonly plugin: string;
  readonly table: string | undefined;
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
  const where = problem.table === undefined ? '' : ` table "${problem.table}"`;
  return `plugin "${problem.plugin}"${where}, field "${problem.field}": ${problem.message}`;
}
