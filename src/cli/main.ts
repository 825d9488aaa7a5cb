#!/usr/bin/env node
/**
 * Entry point of the `appsync-events` binary (bundled to `dist/cli.cjs`). Everything testable lives
 * in `run.ts`; this file only wires it to the real process.
 *
 * @example
 * ```sh
 * appsync-events serve --port 8080 --namespace chat
 * ```
 */
import { scrubSecrets } from '../errors';
import { runCli } from './run';

/** After the command is over, give stray handles this long before exiting anyway. */
const EXIT_GRACE_MS = 3000;

// A closed pipe or terminal (`serve | head`, a closed window) must not crash the server before it
// has shut down cleanly; the output is lost either way.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signals: process, env: process.env }).then(
  (code) => exit(code),
  (error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`appsync-events: unexpected failure: ${scrubSecrets(text)}\n`);
    exit(1);
  },
);

function exit(code: number): void {
  process.exitCode = code;
  // Normally the event loop is empty by now and the process ends on its own; if a library left a
  // handle behind, a stopped CLI must still not hang the user's terminal.
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}
