/** Test utilities: a loopback fault proxy. Import from `@equinox-sync/local-cloud/testing`. */
export { startFaultProxy, type FaultMode, type FaultProxy } from './fault-proxy.js';
