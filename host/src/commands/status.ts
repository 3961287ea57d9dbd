import type { SyncStatus } from '@equinox-sync/core';
import { EquinoxCommand } from '../cli/equinox-command.js';
import { withHost } from '../cli/open-host.js';
import { declaredColumns, rowPreview } from '../cli/row-preview.js';
import type { HeldDelete } from '../host/held-delete.js';

/** What `status --json` prints: the engine's status and the deletes waiting for a person. */
export type StatusResult = SyncStatus & { heldDeletes: HeldDelete[] };

/** How many rows of each list the human output shows; `--json` has them all. */
const SHOWN = 10;

export default class Status extends EquinoxCommand<typeof Status> {
  static override summary = 'Show the sync status: queue, why uploads are paused, held deletes, conflicts, failures, quarantined rows, whether the cloud answers.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json'];

  async run(): Promise<StatusResult> {
    const { status, heldDeletes, columns } = await withHost(this, async (host) => {
      await host.probe();
      return { status: host.status, heldDeletes: host.deletes.list(), columns: declaredColumns(host.definitions()) };
    });
    const lastSync = status.lastSync === null ? 'never' : new Date(status.lastSync).toISOString();
    this.log(`cloud            ${status.online ? 'online' : 'offline'}`);
    this.log(`last sync        ${lastSync}`);
    this.log(`pending uploads  ${status.pendingUploads}`);
    if (status.uploadsPaused) this.log(`uploads          ${status.uploadsPaused.replace(/^uploads /, '')}`);
    this.log(`held deletes     ${heldDeletes.length}${heldDeletes.length > 0 ? ' (confirm with: equinox deletes confirm ID... or --all)' : ''}`);
    for (const held of heldDeletes.slice(0, SHOWN)) this.log(`  ${held.table} ${held.id}: ${rowPreview(held.row, columns.get(held.table) ?? [])}`);
    this.log(`conflicts        ${status.conflicts}`);
    this.log(`failed uploads   ${status.failed.length}`);
    for (const failed of status.failed.slice(0, SHOWN)) this.log(`  ${failed.table} ${failed.id}: ${failed.reason} (attempt ${failed.attempts})`);
    this.log(`quarantined      ${status.quarantined.length}${status.quarantined.length > 0 ? ' (pulled rows this device could not take)' : ''}`);
    for (const row of status.quarantined.slice(0, SHOWN)) {
      this.log(`  ${row.table} ${row.id ?? '(no id)'}: ${row.reason} (received ${new Date(row.receivedAt).toISOString()})`);
    }
    if (status.lastError && status.lastError !== status.uploadsPaused) this.log(`last error       ${status.lastError}`);
    return { ...status, heldDeletes };
  }
}
