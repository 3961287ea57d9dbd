import { Command, Flags, type Interfaces } from '@oclif/core';

/** Flags every equinox command takes, merged with its own. */
export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof EquinoxCommand)['baseFlags'] & T['flags']>;
/** A command's parsed arguments. */
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * The base of every `equinox` command: `--config`, `--verbose` and `--json` on all of
 * them; errors as one readable line (exit 1), usage errors exit 2, and a stack trace
 * only with `--verbose` or `DEBUG` set.
 *
 * @example
 * export default class Status extends EquinoxCommand<typeof Status> {
 *   static override summary = 'Show the sync status';
 *   async run() { return { online: true }; }
 * }
 */
export abstract class EquinoxCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    config: Flags.string({
      summary: 'Config file (default: ./equinox.config.json, or EQUINOX_CONFIG).',
      helpGroup: 'GLOBAL',
    }),
    verbose: Flags.boolean({ summary: 'Print stack traces of errors.', helpGroup: 'GLOBAL' }),
  };

  protected flags!: CommandFlags<T>;
  protected args!: CommandArgs<T>;

  public override async init(): Promise<void> {
    await super.init();
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof EquinoxCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as CommandFlags<T>;
    this.args = args as CommandArgs<T>;
  }

  /** Ends the command with one readable line on stderr and exit code 1. */
  protected fail(message: string): never {
    throw Object.assign(new Error(message), { exitCode: 1 });
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    const code = error.exitCode ?? error.oclif?.exit ?? 1;
    // oclif prints usage errors with their hint; everything else is one line (or JSON).
    if (code === 2 && !this.jsonEnabled()) return super.catch(error);
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(error));
    } else {
      const verbose = this.argv.includes('--verbose') || Boolean(process.env.DEBUG);
      process.stderr.write(`Error: ${verbose ? (error.stack ?? error.message) : firstLine(error.message)}\n`);
    }
    // An exit error is how oclif ends a command with a code and without printing anything more.
    return this.exit(code);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
