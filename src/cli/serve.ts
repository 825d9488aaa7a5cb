/**
 * `appsync-events serve`: runs the emulator of `src/testing/` until stopped, prints what a client
 * needs to connect, and shuts down cleanly on SIGINT, SIGTERM or SIGHUP.
 */
import { scrubSecrets } from '../errors';
import { startEventApi } from '../testing';
import type { EventApi, EventApiOptions } from '../testing/types';
import { parseServeArgs, type ServeOptions } from './args';
import { formatServeBanner } from './banner';
import { CliUsageError } from './errors';
import { helpText } from './help';
import { createDevCertificate, type DevCertificate } from './tls';

/**
 * Where the CLI writes text: `process.stdout` and `process.stderr` fit, and so does a test buffer.
 *
 * @example
 * ```ts
 * import type { OutputStream } from './serve';
 * const chunks: string[] = [];
 * const out: OutputStream = { write: (text) => chunks.push(text) };
 * ```
 */
export interface OutputStream {
  write(text: string): unknown;
}

/**
 * The signals that stop `serve`: Ctrl-C, `kill`, and the terminal closing (SIGHUP), so that the
 * certificate file of `--tls` is removed in every ordinary way a server ends.
 *
 * @example
 * ```ts
 * import type { ShutdownSignal } from './serve';
 * const s: ShutdownSignal = 'SIGTERM';
 * ```
 */
export type ShutdownSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/**
 * Something that emits shutdown signals: `process`, or an `EventEmitter` in tests.
 *
 * @example
 * ```ts
 * import { EventEmitter } from 'node:events';
 * import type { SignalSource } from './serve';
 * const fake: SignalSource = new EventEmitter();
 * ```
 */
export interface SignalSource {
  on(signal: ShutdownSignal, listener: () => void): unknown;
  off(signal: ShutdownSignal, listener: () => void): unknown;
}

/**
 * The process facilities `serve` uses, injectable so that it runs in-process under tests.
 *
 * @example
 * ```ts
 * import type { ServeIo } from './serve';
 * const io: ServeIo = { stdout: process.stdout, stderr: process.stderr, signals: process };
 * ```
 */
export interface ServeIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Source of SIGINT/SIGTERM/SIGHUP; without one, only {@link ServeHandle.stop} ends the command. */
  readonly signals?: SignalSource;
}

/**
 * A `serve` command that has started (or refused to start).
 *
 * @example
 * ```ts
 * import { runServe } from './serve';
 * const handle = await runServe(['--port', '0'], { stdout: process.stdout, stderr: process.stderr, signals: process });
 * process.exitCode = await handle.finished;
 * ```
 */
export interface ServeHandle {
  /** The running emulator; `undefined` when nothing was started (`--help`, usage or start error). */
  readonly api?: EventApi;
  /** Path of the TLS certificate PEM, with `--tls`. */
  readonly certificatePath?: string;
  /**
   * Resolves with the process exit code when the command is over: 0 after a clean stop or
   * `--help`, 1 when the emulator could not start or close, 2 for a usage error. Never rejects.
   */
  readonly finished: Promise<number>;
  /** Stops the emulator as Ctrl-C does; resolves like {@link ServeHandle.finished}. Idempotent. */
  stop(): Promise<number>;
}

const SIGNALS: readonly ShutdownSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Parses `serve`'s arguments and runs it: `--help` prints the help, a usage error prints the
 * problem to stderr (finished = 2), otherwise see {@link serve}.
 *
 * @example
 * ```ts
 * import { runServe } from './serve';
 * const chunks: string[] = [];
 * const handle = await runServe(['--port', '0'], { stdout: { write: (t) => chunks.push(t) }, stderr: process.stderr });
 * console.log(handle.api?.httpEndpoint);
 * await handle.stop();
 * ```
 */
export async function runServe(argv: readonly string[], io: ServeIo): Promise<ServeHandle> {
  let command: ReturnType<typeof parseServeArgs>;
  try {
    command = parseServeArgs(argv);
  } catch (error) {
    if (!CliUsageError.is(error)) throw error;
    io.stderr.write(formatUsageError(error));
    return finishedHandle(error.exitCode);
  }
  if (command.kind === 'help') {
    io.stdout.write(helpText('serve'));
    return finishedHandle(0);
  }
  return serve(command.options, io);
}

/**
 * Starts the emulator with parsed options, prints the banner (endpoints, API key, client snippet)
 * to `io.stdout`, and stops on SIGINT/SIGTERM/SIGHUP from `io.signals` or on `stop()`: the emulator is
 * closed, the certificate file deleted and the signal listeners removed, then `finished` resolves
 * with 0. Signals are listened for from the start, so one that arrives during start-up stops the
 * emulator as soon as it is up (no banner is printed). Start failures (port in use, bad interface) are explained on `io.stderr` and resolve
 * `finished` with 1 without throwing.
 *
 * @example
 * ```ts
 * import { serve } from './serve';
 * const handle = await serve({ port: 0, host: '127.0.0.1', apiKeys: [], namespaces: ['default'], tls: false }, { stdout: process.stdout, stderr: process.stderr });
 * await handle.stop();
 * ```
 */
export async function serve(options: ServeOptions, io: ServeIo): Promise<ServeHandle> {
  // Listen from the very start: a signal that arrives while the certificate is generated or the
  // port opened must still lead to a clean stop (temporary files removed), and whoever reads the
  // banner may signal the moment it appears.
  let signalled = false;
  let onStopRequest = (): void => {
    signalled = true;
  };
  const onSignal = (): void => {
    io.stderr.write('\nShutting down the emulator…\n');
    onStopRequest();
  };
  const removeListeners = (): void => {
    for (const signal of SIGNALS) io.signals?.off(signal, onSignal);
  };
  for (const signal of SIGNALS) io.signals?.on(signal, onSignal);

  let certificate: DevCertificate | undefined;
  let api: EventApi;
  try {
    if (options.tls) certificate = await createDevCertificate({ hosts: [options.host] });
    const apiOptions: EventApiOptions = {
      host: options.host,
      port: options.port,
      namespaces: options.namespaces,
      ...(options.apiKeys.length > 0 ? { apiKeys: options.apiKeys } : {}),
      ...(options.keepAliveIntervalMs === undefined ? {} : { keepAliveIntervalMs: options.keepAliveIntervalMs }),
      ...(certificate === undefined ? {} : { tls: { key: certificate.key, cert: certificate.cert } }),
    };
    api = await startEventApi(apiOptions);
  } catch (error) {
    removeListeners();
    await certificate?.dispose().catch(() => undefined);
    io.stderr.write(`appsync-events: ${describeStartError(error, options)}\n`);
    return finishedHandle(1);
  }

  let resolveFinished: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (resolveFinished = resolve));
  let stopping: Promise<number> | undefined;
  const stop = (): Promise<number> =>
    (stopping ??= (async () => {
      // Listeners go first: a second Ctrl-C during a slow close then falls back to Node's default
      // (immediate exit), which is what a user pressing it twice wants.
      removeListeners();
      let code = 0;
      try {
        await api.close();
      } catch (error) {
        io.stderr.write(`appsync-events: the emulator did not close cleanly: ${describeError(error, api.apiKeys)}\n`);
        code = 1;
      }
      await certificate?.dispose().catch(() => undefined);
      resolveFinished(code);
      return code;
    })());
  onStopRequest = () => void stop();

  const handle: ServeHandle = { api, ...(certificate === undefined ? {} : { certificatePath: certificate.certPath }), finished, stop };
  if (signalled) {
    void stop();
    return handle;
  }
  io.stdout.write(
    formatServeBanner({
      httpEndpoint: api.httpEndpoint,
      realtimeEndpoint: api.realtimeEndpoint,
      apiKeys: api.apiKeys,
      namespaces: options.namespaces,
      bindHost: options.host,
      ...(options.keepAliveIntervalMs === undefined ? {} : { keepAliveIntervalMs: options.keepAliveIntervalMs }),
      ...(certificate === undefined ? {} : { certificatePath: certificate.certPath }),
    }),
  );
  return handle;
}

/**
 * The text printed for a usage error: the problem and where to read about the command.
 *
 * @example
 * ```ts
 * import { CliUsageError } from './errors';
 * import { formatUsageError } from './serve';
 * process.stderr.write(formatUsageError(new CliUsageError('UNKNOWN_OPTION', "unknown option '--prot' for 'serve'", 'serve', '--prot')));
 * ```
 */
export function formatUsageError(error: CliUsageError): string {
  const help = error.command === undefined ? 'appsync-events --help' : `appsync-events ${error.command} --help`;
  return `appsync-events: ${error.message}\nRun '${help}' for usage.\n`;
}

function finishedHandle(code: number): ServeHandle {
  const finished = Promise.resolve(code);
  return { finished, stop: () => finished };
}

function describeStartError(error: unknown, options: ServeOptions): string {
  const where = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  switch (errorCode(error)) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is already in use. Pick another with --port, or --port 0 for a free one.`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 usually need privileges). Pick another --port.`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${options.host} is not an address of this machine. Try --host 127.0.0.1, or 0.0.0.0 for every interface.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${where}: the host name ${options.host} does not resolve.`;
    default:
      return `could not start the emulator: ${describeError(error, options.apiKeys)}`;
  }
}

function describeError(error: unknown, apiKeys: readonly string[]): string {
  let text = error instanceof Error ? error.message : String(error);
  for (const key of apiKeys) text = text.split(key).join('[redacted]');
  return scrubSecrets(text);
}

function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
