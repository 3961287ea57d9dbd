/**
 * The private schema of the inventory's cloud objects. PostgREST does not expose it:
 * the cross-tenant aggregate is reached only through `public.inventory_master(p_after, p_limit)`.
 *
 * @example
 * await pg.query(`select * from ${INVENTORY_SCHEMA}.master_levels`);
 */
export const INVENTORY_SCHEMA = 'equinox_inventory';
