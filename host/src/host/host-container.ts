import type { Container } from 'inversify';

/** DI token of the host's own container, the parent of every plugin's child container. */
export const HostContainer = Symbol('HostContainer');
/** See {@link HostContainer}. */
export type HostContainer = Container;
