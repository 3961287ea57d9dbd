import Table from 'cli-table3';

/**
 * How the demo talks: headed sections and tables for a person, or nothing at all when
 * the command prints JSON.
 *
 * @example
 * const out = new DemoOutput((line) => this.log(line), !this.jsonEnabled());
 * out.section('Syncing');
 * out.table(['device', 'uploaded'], [['till-1', '3']]);
 */
export class DemoOutput {
  private step = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly enabled: boolean,
  ) {}

  section(title: string): void {
    if (!this.enabled) return;
    this.step += 1;
    this.write('');
    this.write(`${this.step}. ${title}`);
  }

  line(text: string): void {
    if (this.enabled) this.write(`   ${text}`);
  }

  table(head: readonly string[], rows: readonly (readonly (string | number | boolean)[])[]): void {
    if (!this.enabled) return;
    const table = new Table({ head: [...head], style: { head: [], border: [] } });
    for (const row of rows) table.push(row.map((cell) => String(cell)));
    for (const line of table.toString().split('\n')) this.write(`   ${line}`);
  }
}
