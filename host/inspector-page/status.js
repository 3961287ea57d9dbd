// @ts-check
// The header (who this device is, and its sync status at a glance) and the "needs
// attention" tiles. The status part is redrawn from every `status` event on its own,
// without refetching the state.

import { ago, h, plural } from './dom.js';

/** @typedef {import('./types.js').State} State */
/** @typedef {import('./types.js').Device} Device */
/** @typedef {import('./types.js').SyncStatus} SyncStatus */
/** @typedef {import('./types.js').Tone} Tone */

/**
 * Who the device is: its id big, then tenant, role and version.
 *
 * @param {Device} device
 */
export function renderIdentity(device) {
  return [
    h('h1', {}, h('span', { class: 'eyebrow' }, 'Device'), ' ', h('span', { class: 'device-id' }, device.deviceId)),
    h(
      'dl',
      { class: 'inline-facts' },
      fact('Tenant', device.tenantId),
      fact('Role', device.role),
      fact('Version', device.version),
      fact('Database', h('span', { class: 'path', title: device.dbPath }, device.dbPath)),
    ),
  ];
}

/**
 * How the device is doing, worst first: offline or failing is bad, paused or waiting for a
 * person is a warning.
 *
 * @param {SyncStatus} status
 * @returns {Tone}
 */
export function statusTone(status) {
  if (!status.online || status.lastError !== null) return 'bad';
  if (status.uploadsPaused !== null || status.conflicts > 0 || status.failed.length > 0) return 'warn';
  return 'ok';
}

/**
 * The status block: the online badge (its text is exactly "online" or "offline"), live and
 * syncing chips, the counts, and why uploads are paused or the last run failed.
 *
 * @param {SyncStatus} status
 */
export function renderStatus(status) {
  const progress = status.progress;
  const syncing = status.isSyncing
    ? `Syncing${progress ? ` · ${progress.phase === 'upload' ? 'sending' : 'receiving'} ${progress.table} ${progress.done}/${progress.total}` : '…'}`
    : 'Idle';
  return [
    h(
      'div',
      { class: 'chips' },
      h('span', { class: `badge ${status.online ? 'on' : 'off'}`, 'data-testid': 'status-online' }, status.online ? 'online' : 'offline'),
      h('span', { class: `chip ${status.live ? 'on' : 'muted'}`, title: 'Whether pushes of other devices arrive at once' }, status.live ? 'live' : 'not live'),
      h('span', { class: `chip ${status.isSyncing ? 'busy' : 'muted'}` }, syncing),
    ),
    h(
      'dl',
      { class: 'inline-facts status-facts' },
      fact('Last sync', ago(status.lastSync)),
      fact('Waiting to send', String(status.pendingUploads)),
      fact('Waiting to receive', String(status.pendingDownloads)),
      fact('Conflicts', String(status.conflicts)),
    ),
    status.uploadsPaused === null ? null : h('p', { class: 'note tone-warn' }, h('strong', {}, '‖ Uploads paused: '), status.uploadsPaused),
    status.lastError === null ? null : h('p', { class: 'note tone-bad' }, h('strong', {}, '✖ Last run: '), status.lastError),
  ];
}

/**
 * The tiles of what waits for a person, non-empty first; the empty ones fold into one
 * calm line.
 *
 * @param {State} state
 */
export function renderAttention(state) {
  const paused = state.status.uploadsPaused;
  const items = [
    { id: 'conflicts', label: 'Conflicts', count: state.conflicts.length, tone: 'bad', hint: 'Choose which version to keep', none: 'no conflicts' },
    { id: 'deletes', label: 'Held deletes', count: state.deletes.length, tone: 'warn', hint: 'Confirm to delete them in the cloud', none: 'no held deletes' },
    { id: 'failed', label: 'Failed uploads', count: state.failed.length, tone: 'bad', hint: 'Retried automatically', none: 'no failed uploads' },
    { id: 'quarantined', label: 'Quarantined rows', count: state.quarantined.length, tone: 'warn', hint: 'Set aside, the rest synced', none: 'no quarantined rows' },
  ];
  const waiting = items.filter((item) => item.count > 0);
  const calm = items.filter((item) => item.count === 0).map((item) => item.none);
  const tiles = waiting.map((item) =>
    h(
      'a',
      { class: `tile tone-${item.tone}`, href: `#${item.id}`, 'data-testid': `attention-${item.id}` },
      h('span', { class: 'tile-count' }, item.count),
      h('span', { class: 'tile-label' }, item.label),
      h('span', { class: 'tile-hint' }, item.hint),
    ),
  );
  if (paused !== null) {
    tiles.push(
      h(
        'a',
        { class: 'tile tone-warn', href: '#queue', 'data-testid': 'attention-paused' },
        h('span', { class: 'tile-count' }, state.status.pendingUploads),
        h('span', { class: 'tile-label' }, '‖ Uploads paused'),
        h('span', { class: 'tile-hint' }, paused),
      ),
    );
  } else calm.push('uploads running');
  return h(
    'section',
    { class: 'attention', 'aria-labelledby': 'attention-title' },
    h('h2', { id: 'attention-title' }, 'Needs attention'),
    tiles.length === 0
      ? h('p', { class: 'all-clear' }, '✔ All clear: nothing is waiting for you on this device.')
      : h('div', { class: 'tiles' }, tiles),
    tiles.length > 0 && calm.length > 0 ? h('p', { class: 'calm' }, `Nothing waiting otherwise: ${calm.join(', ')}.`) : null,
  );
}

/**
 * What a run did, as one sentence for the toast line.
 *
 * @param {import('./types.js').SyncRunResult} result
 */
export function describeRun(result) {
  if (result.offline) return 'The cloud did not answer: nothing was sent. The device keeps its changes and tries again.';
  const parts = [`${plural(result.uploaded, 'row')} sent`, `${plural(result.downloaded, 'row')} received`];
  if (result.conflicts > 0) parts.push(plural(result.conflicts, 'conflict'));
  if (result.rejected > 0) parts.push(`${plural(result.rejected, 'row')} refused`);
  const text = `Synced in ${(result.durationMs / 1000).toFixed(1)} s: ${parts.join(', ')}.`;
  return result.error === null ? text : `${text} Stopped early: ${result.error}`;
}

/**
 * @param {string} label
 * @param {string | Node} value
 */
function fact(label, value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}
