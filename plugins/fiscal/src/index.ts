/** @equinox-sync/plugin-fiscal — append-only, hash-chained fiscal documents. */
export { fiscalPlugin } from './fiscal-plugin.js';
