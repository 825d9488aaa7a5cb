const BRAND = Symbol.for('appsync-events-rx.cli-usage-error');

/**
 * Why a command line was refused. Stable values, for tests and scripts.
 *
 * @example
 * ```ts
 * import type { CliUsageReason } from './errors';
 * const reason: CliUsageReason = 'UNKNOWN_OPTION';
 * ```
 */
export type CliUsageReason =
  | 'UNKNOWN_COMMAND'
  | 'UNKNOWN_OPTION'
  | 'MISSING_VALUE'
  | 'INVALID_VALUE'
  | 'UNEXPECTED_VALUE'
  | 'DUPLICATE_OPTION'
  | 'UNEXPECTED_ARGUMENT';

/**
 * A command line the `appsync-events` tool cannot run: unknown command or option, a missing or
 * malformed value. The CLI prints {@link CliUsageError.message} with a pointer to `--help` and
 * exits with code {@link CliUsageError.exitCode} (2, the usual "usage error" status).
 *
 * The message never contains the value given to `--api-key`: a key that was refused may still be a
 * real credential.
 *
 * @example
 * ```ts
 * import { CliUsageError } from './errors';
 * import { parseCommandLine } from './args';
 * try {
 *   parseCommandLine(['serve', '--port', 'http']);
 * } catch (e) {
 *   if (CliUsageError.is(e)) console.error(e.reason, e.option); // 'INVALID_VALUE' '--port'
 * }
 * ```
 */
export class CliUsageError extends Error {
  /** Stable code shared by every usage error. */
  readonly code = 'CLI_USAGE' as const;
  /** Process exit status for usage errors. */
  readonly exitCode = 2 as const;
  readonly [BRAND] = true;

  constructor(
    /** Which rule the command line broke. */
    readonly reason: CliUsageReason,
    message: string,
    /** The command whose `--help` explains the rule (`undefined`: the top-level help). */
    readonly command?: string,
    /** The option at fault, in its long form (`--port`), when there is one. */
    readonly option?: string,
  ) {
    super(message);
    this.name = 'CliUsageError';
    Object.setPrototypeOf(this, new.target.prototype);
  }

  /** True for a {@link CliUsageError}, even one created by another copy of this module. */
  static is(value: unknown): value is CliUsageError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
