import { Flags } from '@oclif/core';
import type { TableReconcileResult } from '@equinox-sync/core';
import { EquinoxCommand } from '../cli/equinox-command.js';
import { withHost } from '../cli/open-host.js';
import { printTable } from '../cli/print-table.js';

/** What `reconcile --json` prints: one entry per table compared, and why the sync after it stopped (`null`: it did not). */
export interface ReconcileSummary {
  tables: TableReconcileResult[];
  syncError: string | null;
}

export default class Reconcile extends EquinoxCommand<typeof Reconcile> {
  static override summary = 'Compare this device with the cloud by hash ranges and repair both ways.';
  static override description =
    'Compares each synced table (or --table) by hashes of id ranges, narrowing down to the rows that differ without downloading the table. ' +
    'Rows the cloud lacks or holds older are uploaded again; rows the device lacks or holds older are pulled; nothing is deleted. ' +
    'A sync run follows, so the repairs are made before the command ends. Exits 1 when the cloud cannot be reached.';
  static override examples = ['<%= config.bin %> reconcile', '<%= config.bin %> reconcile --table clients --json'];
  static override flags = {
    table: Flags.string({ summary: 'Compare only this synced table.' }),
  };

  async run(): Promise<ReconcileSummary> {
    const table = this.flags.table;
    const { result, run } = await withHost(this, async (host) => {
      const reconciled = await host.reconcile(table === undefined ? {} : { table });
      // The comparison resolves before its run uploads and pulls the repairs; this waits for that run (and makes one more).
      return { result: reconciled, run: await host.syncNow() };
    });
    const tables = [...result.tables];
    if (!this.jsonEnabled()) {
      printTable(
        this,
        ['table', 'checked', 're-uploaded', 'missing here', 'left to writers'],
        tables.map((entry) => [entry.table, entry.checked, entry.reuploaded, entry.missingLocally, entry.notReuploaded].map(String)),
      );
      if (run.error !== null) this.warn(`the sync after the comparison stopped: ${run.error}; the repairs stay queued`);
    }
    return { tables, syncError: run.error };
  }
}
