import { Command, Flags, type Interfaces } from '@oclif/core';

/** Flags every equinox command takes, merged with its own. */
export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof EquinoxCommand)['baseFlags'] & T['flags']>;
/** A command's parsed arguments. */
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * The base of every `equinox` command: `--config`, `--verbose` and `--json` on all of
 * them; errors as one readable line (exit 1), usage errors exit 2 (a value a flag's own
 * `parse` refuses too), and a stack trace only with `--verbose` or `DEBUG` set.
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
    }).catch((error: unknown) => {
      throw asUsageError(error);
    });
    this.flags = flags as CommandFlags<T>;
    this.args = args as CommandArgs<T>;
  }

  /** The `--config` file this command was given, if any: what `withHost(this, …)` opens. */
  get configFile(): string | undefined {
    // Undefined until `init` has parsed the flags.
    return (this.flags as CommandFlags<T> | undefined)?.config;
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

/**
 * A value a flag's or argument's own `parse` refused is a usage error, like a missing
 * flag: exit 2 with the usage hint (oclif leaves it at 1). An error that has its code keeps it.
 */
function asUsageError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const coded = error as Error & { exitCode?: number; oclif?: { exit?: number } };
  if (coded.exitCode !== undefined || coded.oclif?.exit !== undefined) return error;
  return Object.assign(error, { oclif: { ...coded.oclif, exit: 2 } });
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
