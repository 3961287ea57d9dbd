import type { PluginDefinition, Row } from '@equinox-sync/core';
import { declaredColumns, rowPreview } from '../cli/row-preview.js';
import type { EquinoxHost } from '../host/equinox-host.js';
import { HOST_VERSION } from '../host-version.js';
import type { InspectorConflict, InspectorFailedRow, InspectorQueueTable, InspectorState } from './inspector-state.js';
import { loadPanels } from './panel-views.js';

/** How many queued rows per table the page lists; the count says how many there are. */
const ROWS_PER_TABLE = 20;
/** How many runs the chart shows. */
const CHART_RUNS = 100;

/**
 * Everything the inspector page shows of the device, read now (`GET <base>api/state`).
 *
 * @example
 * const state = await inspectorState(host);
 * state.conflicts[0]?.differing; // ['email']
 */
export async function inspectorState(host: EquinoxHost): Promise<InspectorState> {
  const definitions = host.definitions();
  const columns = declaredColumns(definitions);
  const preview = (table: string, row: Row | null): string => rowPreview(row, columns.get(table) ?? []);
  const status = host.status;
  const { config } = host;
  return {
    device: { tenantId: config.tenantId, deviceId: config.deviceId, role: config.role, dbPath: config.dbPath, version: HOST_VERSION },
    status,
    queue: queue(host, preview),
    failed: status.failed.map((failed): InspectorFailedRow => ({ ...failed, preview: preview(failed.table, rowOf(host, definitions, failed.table, failed.id)) })),
    quarantined: status.quarantined,
    conflicts: host.conflicts.list().map((conflict) => sideBySide(conflict, columns.get(conflict.table) ?? [])),
    deletes: host.deletes.list().map((held) => ({ table: held.table, id: held.id, preview: preview(held.table, held.row) })),
    runs: host.recentRuns(CHART_RUNS),
    panels: await loadPanels(host.panels()),
  };
}

function queue(host: EquinoxHost, preview: (table: string, row: Row | null) => string): InspectorQueueTable[] {
  return host.pendingUploads({ rowsPerTable: ROWS_PER_TABLE }).map((part) => ({
    table: part.table,
    plugin: part.plugin,
    count: part.count,
    rows: part.changes.map((change) => ({
      id: change.id,
      op: change.op === 'delete' ? 'delete' : 'upsert',
      preview: preview(part.table, change.row),
      attempts: change.attempts,
      lastError: change.lastError,
    })),
  }));
}

/** Both rows of a conflict with the table's declared columns and those whose values differ. */
function sideBySide(conflict: { table: string; id: string; detectedAt: number; local: Row; remote: Row }, columns: readonly string[]): InspectorConflict {
  const differing = columns.filter((column) => !sameValue(conflict.local[column], conflict.remote[column]));
  return { table: conflict.table, id: conflict.id, detectedAt: conflict.detectedAt, columns, differing, local: conflict.local, remote: conflict.remote };
}

/** Values as they travel as JSON: a missing value and null are alike, objects compare by content. */
function sameValue(left: unknown, right: unknown): boolean {
  return JSON.stringify(left ?? null) === JSON.stringify(right ?? null);
}

/** The row a failed upload sends, read through its plugin's store; null when it is not there. */
function rowOf(host: EquinoxHost, definitions: readonly PluginDefinition[], table: string, id: string): Row | null {
  const owner = definitions.find((plugin) => plugin.tables.some((candidate) => candidate.name === table));
  if (owner === undefined) return null;
  try {
    return host.store(owner.name).get(table, id, { includeDeleted: true }) ?? null;
  } catch {
    return null;
  }
}
