import type { ActivationEvent } from '@equinox-sync/core';

/** DI token of {@link HostActivation}. */
export const HostActivation = Symbol('HostActivation');

/**
 * What a host is opened for, which decides the plugins it activates: every `onStartup`
 * plugin, and those with `onCommand:<command>` when it is opened for a command.
 *
 * @example
 * container.bind(HostActivation).toConstantValue({ command: 'clients list' });
 */
export interface HostActivation {
  /** The command's id, words separated by spaces or colons (oclif's `this.id`); absent outside a command. */
  readonly command: string | undefined;
}

const ON_COMMAND = 'onCommand:';

/**
 * Whether a plugin with these activation events is activated by a host opened for
 * `activation`: on `onStartup`, or on `onCommand:<id>` naming its command (spaces and
 * colons between the words alike).
 *
 * @example
 * activates(['onCommand:clients list'], { command: 'clients:list' }); // true
 * activates(['onCommand:clients list'], { command: undefined }); // false
 */
export function activates(events: readonly ActivationEvent[], activation: HostActivation): boolean {
  const command = activation.command === undefined ? undefined : commandWords(activation.command);
  return events.some((event) => event === 'onStartup' || (command !== undefined && event.startsWith(ON_COMMAND) && commandWords(event.slice(ON_COMMAND.length)) === command));
}

/** A command id with its words separated by one space, as it is typed. */
function commandWords(id: string): string {
  return id.trim().split(/[ :]+/).join(' ');
}
