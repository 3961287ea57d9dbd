import type { ConflictChoice, Row } from '@equinox-sync/core';
import { HttpError } from './http-answers.js';

/** What `POST api/panels/action` names: a plugin's panel and one of its actions. */
export interface PanelActionBody {
  readonly plugin: string;
  readonly panel: string;
  readonly action: string;
}

const PICKS = ['local', 'remote', 'merged'] as const;

/**
 * The body of `POST api/conflicts/resolve` as the engine's choice; a 400 naming the
 * field otherwise.
 *
 * @example
 * conflictChoice({ table: 'notes', id: 'r1', pick: 'local' }); // { table: 'notes', id: 'r1', pick: 'local' }
 */
export function conflictChoice(body: unknown): ConflictChoice {
  const fields = object(body);
  const table = text(fields, 'table');
  const id = text(fields, 'id');
  const pick = fields.pick;
  if (typeof pick !== 'string' || !(PICKS as readonly string[]).includes(pick)) throw new HttpError(400, 'pick must be "local", "remote" or "merged"');
  const row = fields.row;
  if (pick !== 'merged') {
    if (row !== undefined && row !== null) throw new HttpError(400, 'row is only for pick "merged"');
    return { table, id, pick: pick as 'local' | 'remote' };
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new HttpError(400, 'row must be an object (the merged row) with pick "merged"');
  return { table, id, pick: 'merged', row: row as Row };
}

/**
 * The ids of `POST api/deletes/confirm`: one or more row ids; a 400 naming `ids` otherwise.
 *
 * @example
 * deleteIds({ ids: ['r1'] }); // ['r1']
 */
export function deleteIds(body: unknown): string[] {
  const ids = object(body).ids;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && id !== '')) {
    throw new HttpError(400, 'ids must be a list of one or more row ids');
  }
  return ids as string[];
}

/**
 * The panel action `POST api/panels/action` names; a 400 naming the field otherwise.
 *
 * @example
 * panelAction({ plugin: '@acme/notes', panel: 'notes', action: 'check' });
 */
export function panelAction(body: unknown): PanelActionBody {
  const fields = object(body);
  return { plugin: text(fields, 'plugin'), panel: text(fields, 'panel'), action: text(fields, 'action') };
}

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

function text(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `${name} must be a non-empty string`);
  return value;
}
