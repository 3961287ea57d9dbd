/**
 * The schema of the guard's functions; not `public`, so they are never an RPC endpoint.
 *
 * @example
 * await client.query(`drop function if exists ${FISCAL_SCHEMA}.invoices_guard_insert()`);
 */
export const FISCAL_SCHEMA = 'equinox_fiscal';
