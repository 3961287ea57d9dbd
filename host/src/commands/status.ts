import type { SyncStatus } from '@equinox-sync/core';
import { EquinoxCommand } from '../cli/equinox-command.js';
import { withHost } from '../cli/open-host.js';

export default class Status extends EquinoxCommand<typeof Status> {
  static override summary = 'Show the sync status: queue, conflicts, failures, quarantined rows, whether the cloud answers.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json'];

  async run(): Promise<SyncStatus> {
    const status = await withHost(this, async (host) => {
      await host.probe();
      return host.status;
    });
    const lastSync = status.lastSync === null ? 'never' : new Date(status.lastSync).toISOString();
    this.log(`cloud            ${status.online ? 'online' : 'offline'}`);
    this.log(`last sync        ${lastSync}`);
    this.log(`pending uploads  ${status.pendingUploads}`);
    if (status.uploadsPaused) this.log(`uploads          ${status.uploadsPaused.replace(/^uploads /, '')}`);
    this.log(`conflicts        ${status.conflicts}`);
    this.log(`failed uploads   ${status.failed.length}`);
    for (const failed of status.failed.slice(0, 10)) this.log(`  ${failed.table} ${failed.id}: ${failed.reason} (attempt ${failed.attempts})`);
    this.log(`quarantined      ${status.quarantined.length}${status.quarantined.length > 0 ? ' (pulled rows this device could not take)' : ''}`);
    for (const row of status.quarantined.slice(0, 10)) {
      this.log(`  ${row.table} ${row.id ?? '(no id)'}: ${row.reason} (received ${new Date(row.receivedAt).toISOString()})`);
    }
    if (status.lastError) this.log(`last error       ${status.lastError}`);
    return status;
  }
}
