/**
 * Dispatch of the `appsync-events` command line, separate from `main.ts` so that it can be run
 * in-process (tests) without the side effects of the entry point.
 */
import { parseCommandLine, type CliCommand } from './args';
import { runDemo } from './demo';
import { CliUsageError } from './errors';
import { helpText } from './help';
import { formatUsageError, serve, type ServeIo } from './serve';
import { VERSION } from './version';

/**
 * What the CLI reads and writes: the streams and signals of {@link ServeIo}, plus the environment
 * (read by `demo`; defaults to `process.env`).
 *
 * @example
 * ```ts
 * import type { CliIo } from './run';
 * const io: CliIo = { stdout: process.stdout, stderr: process.stderr, signals: process, env: process.env };
 * ```
 */
export interface CliIo extends ServeIo {
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs one command line (`process.argv.slice(2)`) and resolves with the process exit code:
 * help/version print and return 0, a usage error prints to stderr and returns 2, `serve` runs until
 * it is stopped by a signal from `io.signals`, `demo` delegates to the demo command.
 *
 * @example
 * ```ts
 * import { runCli } from './run';
 * process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signals: process });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (!CliUsageError.is(error)) throw error;
    io.stderr.write(formatUsageError(error));
    return error.exitCode;
  }
  switch (command.kind) {
    case 'help':
      io.stdout.write(helpText(command.topic));
      return 0;
    case 'version':
      io.stdout.write(`${VERSION}\n`);
      return 0;
    case 'serve':
      return (await serve(command.options, io)).finished;
    case 'demo':
      return runDemo(command.argv, { stdout: io.stdout, stderr: io.stderr, env: io.env ?? process.env });
  }
}
