// @ts-check
// The shapes the inspector's HTTP API answers with (the contract of `equinox inspect`).
// Types only: the page imports them in JSDoc comments, so the browser never loads this file.

/**
 * @typedef {'ok' | 'warn' | 'bad'} Tone
 * @typedef {Record<string, unknown>} Row
 * @typedef {{ phase: 'upload' | 'pull', table: string, done: number, total: number }} SyncProgress
 * @typedef {{ table: string, id: string, reason: string, attempts: number, nextAttemptAt: number }} FailedUpload
 * @typedef {{ table: string, id: string | null, reason: string, receivedAt: number }} QuarantineNotice
 * @typedef {{
 *   lastSync: number | null, pendingUploads: number, pendingDownloads: number, isSyncing: boolean,
 *   lastError: string | null, online: boolean, live: boolean, conflicts: number,
 *   failed: FailedUpload[], uploadsPaused: string | null, quarantined: QuarantineNotice[],
 *   progress: SyncProgress | null
 * }} SyncStatus
 * @typedef {{ uploaded: number, downloaded: number, conflicts: number, rejected: number, quarantined?: number,
 *   durationMs: number, offline: boolean, error: string | null }} SyncRunResult
 * @typedef {{ id: string, op: 'upsert' | 'delete', preview: string, attempts: number, lastError: string | null }} QueuedRow
 * @typedef {{ table: string, plugin: string, count: number, rows: QueuedRow[] }} QueueTable
 * @typedef {{ table: string, id: string, reason: string, attempts: number, nextAttemptAt: number, preview: string }} FailedRow
 * @typedef {{ table: string, id: string, detectedAt: number | string, columns: string[], differing: string[],
 *   local: Row | null, remote: Row | null }} Conflict
 * @typedef {{ table: string, id: string, preview: string }} HeldDelete
 * @typedef {{ at: number | string, trigger: string, durationMs: number, uploaded: number, downloaded: number,
 *   conflicts: number, rejected: number, offline: boolean, error: string | null }} Run
 * @typedef {string | number | boolean | null} Cell
 * @typedef {{ label: string, value: string, tone?: Tone }} Fact
 * @typedef {{ kind: 'facts', title?: string, facts: Fact[] }} FactsSection
 * @typedef {{ kind: 'table', title?: string, columns: string[], rows: Cell[][], tones?: (Tone | null)[], empty?: string }} TableSection
 * @typedef {FactsSection | TableSection} Section
 * @typedef {{ summary?: string, tone?: Tone, sections: Section[] }} View
 * @typedef {{ plugin: string, id: string, title: string, view: View | null, error: string | null,
 *   actions: { id: string, label: string }[] }} Panel
 * @typedef {{ tenantId: string, deviceId: string, role: string, dbPath: string, version: string }} Device
 * @typedef {{ device: Device, status: SyncStatus, queue: QueueTable[], failed: FailedRow[],
 *   quarantined: QuarantineNotice[], conflicts: Conflict[], deletes: HeldDelete[], runs: Run[], panels: Panel[] }} State
 */

/**
 * What every part of the page may ask of the page: send a POST, say something on the
 * toast line, fetch the state again, and the person's choices that must survive a re-render
 * (a refetch comes after every local write, and must not untick what someone ticked), with
 * the requests still in flight (their buttons stay disabled when redrawn).
 *
 * @typedef {{
 *   post: (path: string, body: unknown) => Promise<Record<string, unknown>>,
 *   toast: (message: string, tone?: Tone) => void,
 *   refresh: () => void,
 *   chosenDeletes: Set<string>,
 *   mergeChoices: Map<string, Map<string, 'local' | 'remote'>>,
 *   panelMessages: Map<string, { message: string, tone: Tone }>,
 *   busy: Set<string>
 * }} PageContext
 */

export {};
