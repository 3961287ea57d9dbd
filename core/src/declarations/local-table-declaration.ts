import type { ColumnDeclaration, ColumnDefinition } from './table-declaration.js';

/**
 * A table of the plugin's own on this device only: never synced, no system columns, no
 * change capture. Core creates it and adds declared columns later, as for synced tables;
 * only the plugin's store writes it (plain SQL from elsewhere is refused), so it suits
 * caches and copies the plugin fills itself. Every primary-key column must be declared
 * `nullable: false`.
 *
 * @example
 * const rates: LocalTableDeclaration = {
 *   name: 'exchange_rates',
 *   columns: { currency: { type: 'text', nullable: false }, rate: { type: 'real', nullable: false } },
 *   primaryKey: ['currency'],
 * };
 */
export interface LocalTableDeclaration {
  readonly name: string;
  /** Declared like a synced table's columns; names such as `id` are free here. */
  readonly columns: Readonly<Record<string, ColumnDeclaration>>;
  /** The columns that identify a row: `upsert` replaces by them, reads come back in their order. */
  readonly primaryKey: readonly string[];
}

/**
 * A local table after validation.
 *
 * @example
 * const keyed = (table: LocalTableDefinition) => table.primaryKey.join(', ');
 */
export interface LocalTableDefinition {
  readonly name: string;
  readonly plugin: string;
  readonly columns: readonly ColumnDefinition[];
  readonly primaryKey: readonly string[];
}
