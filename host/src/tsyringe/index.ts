/** @equinox-sync/host/tsyringe — registers an equinox host in a tsyringe container. */
export { EquinoxHostToken, registerEquinoxHost } from './register-equinox-host.js';
