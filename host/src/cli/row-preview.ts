import type { PluginDefinition, Row } from '@equinox-sync/core';

/** How much of one value a preview shows. */
const VALUE_WIDTH = 24;
/** How long a whole preview may be. */
const PREVIEW_WIDTH = 72;

/**
 * A row in one short line for a person: its declared columns in declaration order as
 * `name=value`, each value and the whole line cut with "…". The engine's own columns
 * (id, tenant, clock, deleted flag) are left out: they say nothing about what the row is.
 *
 * @example
 * rowPreview({ id: 'p1', sku: 'D-1', name: 'Doomed', price_cents: 1 }, ['sku', 'name', 'price_cents']);
 * // 'sku=D-1 name=Doomed price_cents=1'
 */
export function rowPreview(row: Row | null, columns: readonly string[]): string {
  if (row === null) return '(row not on this device)';
  const parts = columns.filter((column) => row[column] !== undefined && row[column] !== null).map((column) => `${column}=${cut(show(row[column]), VALUE_WIDTH)}`);
  return cut(parts.join(' '), PREVIEW_WIDTH);
}

/**
 * The declared columns of every table of these plugins, by table name.
 *
 * @example
 * const columns = declaredColumns(host.definitions()).get('clients') ?? [];
 */
export function declaredColumns(definitions: readonly PluginDefinition[]): Map<string, string[]> {
  return new Map(definitions.flatMap((plugin) => plugin.tables.map((table) => [table.name, table.columns.map((column) => column.name)] as const)));
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

function cut(text: string, width: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}
