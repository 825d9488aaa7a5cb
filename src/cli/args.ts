/**
 * The command-line grammar of `appsync-events`, as pure functions: argv in, a typed command out, or
 * a {@link CliUsageError}. Nothing here reads the environment, prints or starts anything, so every
 * rule is a one-line unit test.
 */
import { isIP } from 'node:net';
import { scrubSecrets } from '../errors';
import { parseChannel } from '../protocol/channel';
import { isWildcardAddress } from '../testing/address';
import { CliUsageError } from './errors';

/** Port the emulator listens on when `--port` is absent. @example `import { DEFAULT_PORT } from './args';` */
export const DEFAULT_PORT = 8080;
/** Interface the emulator binds when `--host` is absent: loopback only, nothing is exposed. @example `import { DEFAULT_HOST } from './args';` */
export const DEFAULT_HOST = '127.0.0.1';
/** Namespace created when no `--namespace` is given. @example `import { DEFAULT_NAMESPACE } from './args';` */
export const DEFAULT_NAMESPACE = 'default';

/** Largest delay `setInterval` honours (2^31 − 1 ms); larger values would fire immediately. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * What `appsync-events serve` was asked to do, with defaults applied.
 *
 * @example
 * ```ts
 * import { parseServeArgs } from './args';
 * const cmd = parseServeArgs(['--port', '0', '--namespace', 'chat']);
 * if (cmd.kind === 'serve') console.log(cmd.options.port, cmd.options.namespaces); // 0 ['chat']
 * ```
 */
export interface ServeOptions {
  /** TCP port; `0` lets the system pick a free one. @default 8080 */
  readonly port: number;
  /** Interface to bind (IPv6 literals without brackets). @default '127.0.0.1' */
  readonly host: string;
  /** Accepted API keys in the order given; empty means "let the emulator make up one". */
  readonly apiKeys: readonly string[];
  /** Channel namespaces; exactly the `--namespace` values when any is given. @default ['default'] */
  readonly namespaces: readonly string[];
  /** Interval of `ka` frames in ms; `undefined` keeps the emulator's default (60 s, like AWS). */
  readonly keepAliveIntervalMs?: number;
  /** Serve `https`/`wss` with a self-signed certificate generated at start. @default false */
  readonly tls: boolean;
}

/**
 * A parsed command line.
 *
 * @example
 * ```ts
 * import { parseCommandLine } from './args';
 * parseCommandLine(['help', 'serve']); // { kind: 'help', topic: 'serve' }
 * parseCommandLine(['--version']); // { kind: 'version' }
 * ```
 */
export type CliCommand =
  | { readonly kind: 'help'; readonly topic?: CommandName }
  | { readonly kind: 'version' }
  | { readonly kind: 'serve'; readonly options: ServeOptions }
  | { readonly kind: 'demo'; readonly argv: readonly string[] };

/**
 * The subcommands, in the order help lists them.
 *
 * @example
 * ```ts
 * import { COMMANDS } from './args';
 * COMMANDS.includes('serve'); // true
 * ```
 */
export const COMMANDS = ['serve', 'demo'] as const;

/**
 * Name of a subcommand.
 *
 * @example
 * ```ts
 * import type { CommandName } from './args';
 * const c: CommandName = 'serve';
 * ```
 */
export type CommandName = (typeof COMMANDS)[number];

/**
 * Parses the arguments after the program name (`process.argv.slice(2)`). No arguments, `help`,
 * `-h` or `--help` ask for help; `-v`, `--version` or `version` for the version; `serve …` is parsed
 * by {@link parseServeArgs}; `demo …` is passed through untouched to the demo command, except
 * `demo --help`, which prints the demo's help instead of running it.
 *
 * @throws {@link CliUsageError} for an unknown command or option.
 * @example
 * ```ts
 * import { parseCommandLine } from './args';
 * const cmd = parseCommandLine(process.argv.slice(2));
 * if (cmd.kind === 'serve') console.log(cmd.options.port);
 * ```
 */
export function parseCommandLine(argv: readonly string[]): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') return { kind: 'help' };
  if (first === '-v' || first === '--version' || first === 'version') {
    noMore(first, rest);
    return { kind: 'version' };
  }
  if (first === 'help') {
    const [topic, ...more] = rest;
    if (topic === undefined) return { kind: 'help' };
    if (!isCommandName(topic)) throw unknownCommand(topic);
    noMore(`help ${topic}`, more);
    return { kind: 'help', topic };
  }
  if (first === 'serve') return parseServeArgs(rest);
  if (first === 'demo') {
    if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help', topic: 'demo' };
    return { kind: 'demo', argv: rest };
  }
  if (first.startsWith('-')) {
    const name = first.split('=')[0] as string;
    // A serve option (or one close to it) given before the command: show where it goes.
    const serveOption = SERVE_OPTIONS.some((o) => o.name === name || o.short === name) ? name : nearest(name, SERVE_OPTIONS.map((o) => o.name));
    throw new CliUsageError(
      'UNKNOWN_OPTION',
      `unknown option '${clip(scrubSecrets(name))}'${suggest(name, ['--help', '--version'])}; options go after the command${serveOption ? `, e.g. 'appsync-events serve ${serveOption}'` : ''}`,
      undefined,
      name,
    );
  }
  throw unknownCommand(first);
}

interface OptionSpec {
  readonly name: string;
  readonly short?: string;
  /** Placeholder shown in messages; absent for flags. */
  readonly value?: string;
  readonly repeatable?: boolean;
}

const SERVE_OPTIONS: readonly OptionSpec[] = [
  { name: '--port', short: '-p', value: 'PORT' },
  { name: '--host', value: 'HOST' },
  { name: '--api-key', value: 'KEY', repeatable: true },
  { name: '--namespace', value: 'NAME', repeatable: true },
  { name: '--ka-interval', value: 'MS' },
  { name: '--tls' },
  { name: '--help', short: '-h' },
];

/**
 * Parses the arguments of `appsync-events serve`. Options take their value as the next argument
 * or after `=` (`--port 0`, `--port=0`); `--api-key` and `--namespace` may repeat, the others may
 * appear once. `-h`/`--help` anywhere wins over everything else.
 *
 * Rules: `--port` is an integer 0–65535; `--host` an IP literal or a DNS name; `--api-key` visible
 * ASCII without spaces (it travels in an HTTP header); `--namespace` a valid channel segment
 * (letters, digits, `-`, 1–50 characters); `--ka-interval` an integer number of milliseconds,
 * 1 – 2147483647.
 *
 * @throws {@link CliUsageError} naming the option and what is wrong with it.
 * @example
 * ```ts
 * import { parseServeArgs } from './args';
 * parseServeArgs(['--api-key', 'da2-one', '--api-key=da2-two', '--tls']);
 * // { kind: 'serve', options: { port: 8080, host: '127.0.0.1', apiKeys: ['da2-one', 'da2-two'], namespaces: ['default'], tls: true } }
 * ```
 */
export function parseServeArgs(argv: readonly string[]): Extract<CliCommand, { kind: 'help' | 'serve' }> {
  if (argv.some((arg) => arg === '--help' || arg === '-h')) return { kind: 'help', topic: 'serve' };

  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') {
      throw new CliUsageError(
        'UNEXPECTED_ARGUMENT',
        arg === '--'
          ? `'serve' takes no positional arguments, so '--' is not needed`
          : // Not repeated after an --api-key: a stray value there is most likely a second key.
            `'serve' takes no positional arguments, got ${argv.slice(0, i).some((a) => a.split('=')[0] === '--api-key') ? `one after --api-key (argument ${i + 1}; not repeated: it may be a key)` : `'${clip(scrubSecrets(arg))}'`}`,
        'serve',
      );
    }
    const eq = arg.indexOf('=');
    const written = eq === -1 ? arg : arg.slice(0, eq);
    const spec = SERVE_OPTIONS.find((o) => o.name === written || o.short === written);
    if (spec === undefined) {
      throw new CliUsageError(
        'UNKNOWN_OPTION',
        `unknown option '${clip(scrubSecrets(written))}' for 'serve'${suggest(written, SERVE_OPTIONS.map((o) => o.name))}`,
        'serve',
        written,
      );
    }
    let value: string;
    if (spec.value === undefined) {
      if (eq !== -1) throw new CliUsageError('UNEXPECTED_VALUE', `option ${spec.name} is a flag and takes no value`, 'serve', spec.name);
      value = '';
    } else if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new CliUsageError('MISSING_VALUE', `option ${spec.name} needs a value: ${spec.name} ${spec.value}`, 'serve', spec.name);
      }
      value = next;
      i++;
    }
    const seen = values.get(spec.name);
    if (seen !== undefined && !spec.repeatable) {
      throw new CliUsageError('DUPLICATE_OPTION', `option ${spec.name} may be given only once`, 'serve', spec.name);
    }
    if (seen === undefined) values.set(spec.name, [value]);
    else seen.push(value);
  }

  const one = (name: string): string | undefined => values.get(name)?.[0];
  const portText = one('--port');
  const hostText = one('--host');
  const kaText = one('--ka-interval');
  const namespaces = unique((values.get('--namespace') ?? []).map(checkNamespace));
  const options: ServeOptions = {
    port: portText === undefined ? DEFAULT_PORT : parseIntegerOption('--port', portText, 0, 65_535, 'a port number'),
    host: hostText === undefined ? DEFAULT_HOST : checkHost(hostText),
    apiKeys: unique((values.get('--api-key') ?? []).map(checkApiKey)),
    namespaces: namespaces.length > 0 ? namespaces : [DEFAULT_NAMESPACE],
    tls: values.has('--tls'),
    ...(kaText === undefined ? {} : { keepAliveIntervalMs: parseIntegerOption('--ka-interval', kaText, 1, MAX_TIMER_MS, 'a number of milliseconds') }),
  };
  return { kind: 'serve', options };
}

function parseIntegerOption(option: string, text: string, min: number, max: number, what: string): number {
  const value = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new CliUsageError(
      'INVALID_VALUE',
      `option ${option} must be ${what}, an integer from ${min} to ${max}; got '${clip(text)}'`,
      'serve',
      option,
    );
  }
  return value;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function checkHost(text: string): string {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  // Every spelling of a wildcard becomes `0.0.0.0` or `::`, as the banner and the docs name it.
  if (bare && isWildcardAddress(bare)) return bare.includes(':') ? '::' : '0.0.0.0';
  if (isIP(bare) !== 0 || HOSTNAME.test(bare)) return bare;
  throw new CliUsageError(
    'INVALID_VALUE',
    `option --host must be an IP address or a host name (e.g. 127.0.0.1, ::1, localhost, 0.0.0.0); got '${clip(text)}'`,
    'serve',
    '--host',
  );
}

function checkApiKey(key: string): string {
  // The key itself is never echoed: a refused key may still be a real credential pasted by mistake.
  if (key === '') throw new CliUsageError('INVALID_VALUE', 'option --api-key must not be empty', 'serve', '--api-key');
  if (!/^[\x21-\x7e]+$/.test(key)) {
    throw new CliUsageError(
      'INVALID_VALUE',
      'option --api-key may contain only visible ASCII characters (no spaces), since clients send it in an HTTP header',
      'serve',
      '--api-key',
    );
  }
  return key;
}

function checkNamespace(name: string): string {
  const parsed = parseChannel(name);
  if (parsed.ok && parsed.channel.segments.length === 1 && parsed.channel.namespace === name) return name;
  const why = parsed.ok ? 'it must be a single name without "/"' : parsed.reason;
  throw new CliUsageError('INVALID_VALUE', `option --namespace '${clip(name)}' is not a valid namespace name: ${why}`, 'serve', '--namespace');
}

function isCommandName(text: string): text is CommandName {
  return (COMMANDS as readonly string[]).includes(text);
}

function unknownCommand(name: string): CliUsageError {
  return new CliUsageError('UNKNOWN_COMMAND', `unknown command '${clip(scrubSecrets(name))}'${suggest(name, COMMANDS)}; commands: ${COMMANDS.join(', ')}`);
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `" (did you mean 'x'?)"` for the closest candidate within two edits, else `''`. */
function suggest(input: string, candidates: readonly string[]): string {
  const best = nearest(input, candidates);
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}

/** The candidate within two edits of `input`, the closest first. */
function nearest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(input, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Refuses arguments after a command that takes none (`--version`, `help serve`). */
function noMore(command: string, rest: readonly string[]): void {
  rest = rest.filter((arg) => arg !== '--help' && arg !== '-h');
  if (rest.length) throw new CliUsageError('UNEXPECTED_ARGUMENT', `'${command}' takes no further arguments, got '${clip(scrubSecrets(rest[0]!))}'`);
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
