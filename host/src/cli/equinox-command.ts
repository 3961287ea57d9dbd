import { Command, Flags, type Interfaces } from '@oclif/core';
import { stripVTControlCharacters } from 'node:util';
import { NO_CONFIG } from '@equinox-sync/config';

/** Flags every equinox command takes, merged with its own. */
export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof EquinoxCommand)['baseFlags'] & T['flags']>;
/** A command's parsed arguments. */
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * The base of every `equinox` command: `--config`, `--verbose` and `--json` on all of
 * them; errors as one readable line (exit 1; a bad config, one line per problem), usage
 * errors exit 2 (a value a flag's own `parse` refuses too, and {@link EquinoxCommand.usage}),
 * and a stack trace only with `--verbose` or `DEBUG` set.
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
      throw asUsageError(error, this.ctor.flags ?? {});
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

  /**
   * Ends the command as bad usage: the message (name the flag or argument), the hint to
   * `--help`, and exit code 2, as a flag oclif refuses itself.
   *
   * @example
   * if (!flags.all && ids.length === 0) this.usage('name the ids to confirm, or use --all');
   */
  protected usage(message: string): never {
    throw Object.assign(new Error(`${message}\n${HELP_HINT}`), { oclif: { exit: 2 }, [OWN_WORDS]: true });
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    const code = error.exitCode ?? error.oclif?.exit ?? 1;
    // oclif prints its usage errors with their hint (and at times the usage); everything else is ours: its lines, unwrapped, or JSON.
    if (code === 2 && !this.jsonEnabled() && !(OWN_WORDS in error)) return super.catch(error);
    if (code === 2 && !this.jsonEnabled()) {
      process.stderr.write(`Error: ${error.message}\n`);
      return this.exit(code);
    }
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(error));
    } else {
      const verbose = this.argv.includes('--verbose') || Boolean(process.env.DEBUG);
      process.stderr.write(`Error: ${verbose ? (error.stack ?? error.message) : humanMessage(error)}\n`);
    }
    // An exit error is how oclif ends a command with a code and without printing anything more.
    return this.exit(code);
  }
}

const HELP_HINT = 'See more help with --help';

/** Marks a usage error whose message is complete as it is: printed as written, not wrapped by oclif. */
const OWN_WORDS = Symbol('equinox.usage');

/** oclif's words for a value a flag's `parse` refused: the flag on one line, the reason on the next. */
const FLAG_PARSE_FAILURE = /^Parsing (--[\w-]+) \n\t([\s\S]*?)(?:\nSee more help with --help)?$/;

/** oclif's words for flags missing or at odds with one another: a heading, then one reason a line. */
const FLAG_VALIDATION_FAILURE = /^The following errors? occurred:\n([\s\S]*?)(?:\nSee more help with --help)?$/;

const MISSING_FLAG = /^Missing required flag ([\w-]+)$/;

/**
 * A value a flag's or argument's own `parse` refused is a usage error, like a missing
 * flag: exit 2 with the usage hint (oclif leaves it at 1), the flag and the reason on one
 * line. Flags missing or at odds are one line too, a missing flag named with what it
 * takes (its summary). An error that has its code keeps it.
 */
function asUsageError(error: unknown, flags: Record<string, { summary?: string }>): unknown {
  if (!(error instanceof Error)) return error;
  const parsing = FLAG_PARSE_FAILURE.exec(error.message);
  if (parsing !== null) Object.assign(error, { message: `${parsing[1]}: ${parsing[2]?.replace(/\s*\n\s*/g, ' ')}\n${HELP_HINT}`, [OWN_WORDS]: true });
  const failed = FLAG_VALIDATION_FAILURE.exec(stripVTControlCharacters(error.message));
  if (failed !== null) Object.assign(error, { message: `${validationWords(failed[1] ?? '', flags)}\n${HELP_HINT}`, [OWN_WORDS]: true });
  // oclif's whole parse context (the CLI's config, every command's flags): not for a --json error.
  if ('parse' in error) Object.defineProperty(error, 'parse', { enumerable: false });
  const coded = error as Error & { exitCode?: number; oclif?: { exit?: number } };
  if (coded.exitCode !== undefined || coded.oclif?.exit !== undefined) return error;
  return Object.assign(error, { oclif: { ...coded.oclif, exit: 2 } });
}

/**
 * oclif's reasons on one line: the missing flags first, each with what it takes, e.g.
 * `missing --db (SQLite file of this device)`, then any other reason as oclif words it.
 */
function validationWords(reasons: string, flags: Record<string, { summary?: string }>): string {
  const lines = reasons
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const missing = lines.flatMap((line) => MISSING_FLAG.exec(line)?.[1] ?? []);
  const others = lines.filter((line) => !MISSING_FLAG.test(line));
  const named = missing.map((name) => {
    const summary = flags[name]?.summary?.replace(/\.$/, '');
    return summary === undefined ? `--${name}` : `--${name} (${summary})`;
  });
  return [...(named.length === 0 ? [] : [`missing ${named.join(', ')}`]), ...others].join('; ');
}

/**
 * The error for a person: its first line, but every problem of a bad config (each names
 * its key), and how to write a config when there is none.
 */
function humanMessage(error: Error): string {
  const problems = (error as { problems?: unknown }).problems;
  if (error.name !== 'ConfigError' || !Array.isArray(problems)) return firstLine(error.message);
  const missing = problems.some((problem: { key?: unknown; message?: unknown }) => problem.key === '(file)' && (problem.message === NO_CONFIG || problem.message === 'no such config file'));
  return missing ? `${firstLine(error.message)}; write one with "equinox init" (see equinox init --help), or name one with --config FILE` : error.message;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
