import type { PluginLogger } from '@equinox-sync/core/plugin';

/** DI token of {@link HostLogger}. */
export const HostLogger = Symbol('HostLogger');

/**
 * Where the host and its plugins write log lines.
 *
 * @example
 * const logger = container.get<HostLogger>(HostLogger);
 * logger.error('plugin "x" failed to activate: boom');
 */
export type HostLogger = PluginLogger;

/** How much {@link consoleLogger} prints, from least to most. */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

const LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];

/**
 * A logger writing to stderr, one line each, prefixed `equinox:`; quieter levels than
 * `level` are dropped. The default of `createHost` is `warn`.
 *
 * @example
 * createHost({ logger: consoleLogger('debug') });
 */
export function consoleLogger(level: LogLevel = 'warn'): HostLogger {
  const enabled = (wanted: LogLevel): boolean => LEVELS.indexOf(wanted) <= LEVELS.indexOf(level);
  const write = (wanted: LogLevel) => (message: string) => {
    if (enabled(wanted)) process.stderr.write(`equinox: ${wanted}: ${message}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * The logger of one plugin: every line names it.
 *
 * @example
 * const logger = prefixedLogger(hostLogger, 'plugin "@acme/clients"');
 */
export function prefixedLogger(logger: HostLogger, prefix: string): HostLogger {
  return {
    debug: (message) => logger.debug(`${prefix}: ${message}`),
    info: (message) => logger.info(`${prefix}: ${message}`),
    warn: (message) => logger.warn(`${prefix}: ${message}`),
    error: (message) => logger.error(`${prefix}: ${message}`),
  };
}
