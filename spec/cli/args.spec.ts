import { parseCommandLine, parseServeArgs, type CliCommand, type ServeOptions } from '../../src/cli/args';
import { CliUsageError, type CliUsageReason } from '../../src/cli/errors';

const defaults: ServeOptions = { port: 8080, host: '127.0.0.1', apiKeys: [], namespaces: ['default'], tls: false };

function usageError(run: () => unknown): CliUsageError {
  try {
    run();
  } catch (error) {
    if (CliUsageError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a CliUsageError, but nothing was thrown');
}

describe('parseCommandLine', () => {
  it.each<[string[], CliCommand]>([
    [[], { kind: 'help' }],
    [['--help'], { kind: 'help' }],
    [['-h'], { kind: 'help' }],
    [['help'], { kind: 'help' }],
    [['help', 'serve'], { kind: 'help', topic: 'serve' }],
    [['help', 'demo'], { kind: 'help', topic: 'demo' }],
    [['--version'], { kind: 'version' }],
    [['-v'], { kind: 'version' }],
    [['version'], { kind: 'version' }],
    [['serve'], { kind: 'serve', options: defaults }],
    [['serve', '--help'], { kind: 'help', topic: 'serve' }],
    [['demo'], { kind: 'demo', argv: [] }],
    [['demo', '--anything', 'x'], { kind: 'demo', argv: ['--anything', 'x'] }],
    [['demo', '--help'], { kind: 'help', topic: 'demo' }],
    [['demo', '-h'], { kind: 'help', topic: 'demo' }],
    [['help', 'serve', '--help'], { kind: 'help', topic: 'serve' }],
    [['--version', '-h'], { kind: 'version' }],
    [['serve', '--host', '0x0'], { kind: 'serve', options: { ...defaults, host: '0.0.0.0' } }],
    [['serve', '--host', '[::0]'], { kind: 'serve', options: { ...defaults, host: '::' } }],
  ])('%j → %j', (argv, expected) => {
    expect(parseCommandLine(argv)).toEqual(expected);
  });

  it.each<[string[], CliUsageReason, RegExp]>([
    [['serv'], 'UNKNOWN_COMMAND', /unknown command 'serv' \(did you mean 'serve'\?\); commands: serve, demo/],
    [['launch'], 'UNKNOWN_COMMAND', /^unknown command 'launch'; commands: serve, demo$/],
    [['help', 'launch'], 'UNKNOWN_COMMAND', /unknown command 'launch'/],
    [['--port', '80'], 'UNKNOWN_OPTION', /unknown option '--port'; options go after the command, e\.g\. 'appsync-events serve --port'/],
    [['--versoin'], 'UNKNOWN_OPTION', /did you mean '--version'/],
    // A near serve option is shown where it goes (it used to echo the misspelt one there).
    [['--prot', '1'], 'UNKNOWN_OPTION', /^unknown option '--prot'; options go after the command, e\.g\. 'appsync-events serve --port'$/],
    [['--zzzzzzzz'], 'UNKNOWN_OPTION', /^unknown option '--zzzzzzzz'; options go after the command$/],
    // Extra arguments are refused, as by serve and demo (they used to be ignored).
    [['--version', 'extra'], 'UNEXPECTED_ARGUMENT', /^'--version' takes no further arguments, got 'extra'$/],
    [['help', 'serve', 'extra'], 'UNEXPECTED_ARGUMENT', /^'help serve' takes no further arguments, got 'extra'$/],
    // A key where a command or option name goes is not repeated either.
    [['da2-abcdefghijklmnopqrstuvwxyz'], 'UNKNOWN_COMMAND', /^unknown command '\[redacted\]'; commands: serve, demo$/],
    [['--api-key:da2-abcdefghijklmnopqrstuvwxyz'], 'UNKNOWN_OPTION', /^unknown option '--api-key:\[redacted\]'/],
  ])('%j is refused (%s)', (argv, reason, message) => {
    const error = usageError(() => parseCommandLine(argv));
    expect(error.reason).toBe(reason);
    expect(error.message).toMatch(message);
    expect(error.exitCode).toBe(2);
    expect(error.code).toBe('CLI_USAGE');
    expect(error.name).toBe('CliUsageError');
    expect(error).toBeInstanceOf(CliUsageError);
    expect(error.command).toBeUndefined();
  });
});

describe('parseServeArgs', () => {
  it.each<[string[], Partial<ServeOptions>]>([
    [[], {}],
    [['--port', '0'], { port: 0 }],
    [['--port=9000'], { port: 9000 }],
    [['-p', '65535'], { port: 65535 }],
    [['--host', '0.0.0.0'], { host: '0.0.0.0' }],
    [['--host', 'localhost'], { host: 'localhost' }],
    [['--host', '::1'], { host: '::1' }],
    [['--host=[::1]'], { host: '::1' }],
    [['--api-key', 'da2-one'], { apiKeys: ['da2-one'] }],
    [['--api-key', 'da2-one', '--api-key=da2-two', '--api-key', 'da2-one'], { apiKeys: ['da2-one', 'da2-two'] }],
    [['--api-key', '-starts-with-dash'], { apiKeys: ['-starts-with-dash'] }],
    [['--namespace', 'chat'], { namespaces: ['chat'] }],
    [['--namespace', 'chat', '--namespace', 'game-1', '--namespace', 'chat'], { namespaces: ['chat', 'game-1'] }],
    [['--ka-interval', '250'], { keepAliveIntervalMs: 250 }],
    [['--ka-interval=2147483647'], { keepAliveIntervalMs: 2147483647 }],
    [['--tls'], { tls: true }],
    [
      ['--tls', '--port', '0', '--host', '127.0.0.1', '--api-key', 'k', '--namespace', 'a', '--ka-interval', '10'],
      { tls: true, port: 0, host: '127.0.0.1', apiKeys: ['k'], namespaces: ['a'], keepAliveIntervalMs: 10 },
    ],
  ])('%j', (argv, expected) => {
    expect(parseServeArgs(argv)).toEqual({ kind: 'serve', options: { ...defaults, ...expected } });
  });

  it.each([[['-h']], [['--help']], [['--port', 'nope', '--help']], [['--bogus', '-h']]])('%j asks for help, which wins over errors', (argv) => {
    expect(parseServeArgs(argv)).toEqual({ kind: 'help', topic: 'serve' });
  });

  it.each<[string[], CliUsageReason, string | undefined, RegExp]>([
    [['--prot', '80'], 'UNKNOWN_OPTION', '--prot', /unknown option '--prot' for 'serve' \(did you mean '--port'\?\)/],
    [['--namespaces', 'a'], 'UNKNOWN_OPTION', '--namespaces', /did you mean '--namespace'/],
    [['--verbose'], 'UNKNOWN_OPTION', '--verbose', /^unknown option '--verbose' for 'serve'$/],
    [['-x'], 'UNKNOWN_OPTION', '-x', /unknown option '-x'/],
    [['--port'], 'MISSING_VALUE', '--port', /option --port needs a value: --port PORT/],
    [['--port', '--tls'], 'MISSING_VALUE', '--port', /needs a value/],
    [['--api-key'], 'MISSING_VALUE', '--api-key', /option --api-key needs a value: --api-key KEY/],
    [['--port', 'http'], 'INVALID_VALUE', '--port', /option --port must be a port number, an integer from 0 to 65535; got 'http'/],
    [['--port', '65536'], 'INVALID_VALUE', '--port', /got '65536'/],
    [['--port', '-1'], 'INVALID_VALUE', '--port', /got '-1'/],
    [['--port', '80.5'], 'INVALID_VALUE', '--port', /got '80.5'/],
    [['--port', '0x50'], 'INVALID_VALUE', '--port', /got '0x50'/],
    [['--port='], 'INVALID_VALUE', '--port', /got ''/],
    [['--ka-interval', '0'], 'INVALID_VALUE', '--ka-interval', /must be a number of milliseconds, an integer from 1 to 2147483647; got '0'/],
    [['--ka-interval', '5s'], 'INVALID_VALUE', '--ka-interval', /got '5s'/],
    [['--ka-interval', '2147483648'], 'INVALID_VALUE', '--ka-interval', /got '2147483648'/],
    [['--host', 'http://localhost'], 'INVALID_VALUE', '--host', /must be an IP address or a host name/],
    [['--host', ''], 'INVALID_VALUE', '--host', /got ''/],
    [['--host', 'bad_host'], 'INVALID_VALUE', '--host', /got 'bad_host'/],
    [['--namespace', 'a/b'], 'INVALID_VALUE', '--namespace', /'a\/b' is not a valid namespace name: it must be a single name without "\/"/],
    [['--namespace', '/chat'], 'INVALID_VALUE', '--namespace', /not a valid namespace name/],
    [['--namespace', 'chat_room'], 'INVALID_VALUE', '--namespace', /invalid segment "chat_room" \(letters, digits and inner "-" only\)/],
    [['--namespace', '-chat'], 'INVALID_VALUE', '--namespace', /invalid segment "-chat" \(letters, digits and inner "-" only\)/],
    [['--namespace', 'x'.repeat(51)], 'INVALID_VALUE', '--namespace', /51 characters \(max 50\)/],
    [['--namespace='], 'INVALID_VALUE', '--namespace', /has no segments/],
    [['--tls=yes'], 'UNEXPECTED_VALUE', '--tls', /option --tls is a flag and takes no value/],
    [['--port', '1', '--port', '2'], 'DUPLICATE_OPTION', '--port', /option --port may be given only once/],
    [['--tls', '--tls'], 'DUPLICATE_OPTION', '--tls', /only once/],
    [['8080'], 'UNEXPECTED_ARGUMENT', undefined, /'serve' takes no positional arguments, got '8080'/],
    [['--port', '1', 'extra'], 'UNEXPECTED_ARGUMENT', undefined, /got 'extra'/],
    // After an --api-key, a stray value is most likely a second key: not repeated.
    [['--api-key', 'da2-first', 'second-key-value'], 'UNEXPECTED_ARGUMENT', undefined, /got one after --api-key \(argument 3; not repeated: it may be a key\)$/],
    [['--'], 'UNEXPECTED_ARGUMENT', undefined, /'--' is not needed/],
  ])('%j is refused (%s)', (argv, reason, option, message) => {
    const error = usageError(() => parseServeArgs(argv));
    expect(error.reason).toBe(reason);
    expect(error.option).toBe(option);
    expect(error.command).toBe('serve');
    expect(error.message).toMatch(message);
  });

  it.each([['da2 with space'], ['key\nnewline'], ['clé-non-ascii'], ['']])('refuses the API key %j without echoing it', (key) => {
    const error = usageError(() => parseServeArgs(['--api-key', key]));
    expect(error.reason).toBe('INVALID_VALUE');
    expect(error.option).toBe('--api-key');
    if (key !== '') expect(error.message).not.toContain(key);
    expect(error.message).toMatch(/--api-key (must not be empty|may contain only visible ASCII)/);
  });

  it('clips very long values in messages', () => {
    const error = usageError(() => parseServeArgs(['--port', '9'.repeat(500)]));
    expect(error.message.length).toBeLessThan(150);
    expect(error.message).toContain('...');
  });
});

describe('CliUsageError.is', () => {
  it('recognises usage errors, including structurally identical ones from another module copy', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('appsync-events-rx.cli-usage-error')]: true });
    expect(CliUsageError.is(new CliUsageError('UNKNOWN_COMMAND', 'x'))).toBe(true);
    expect(CliUsageError.is(foreign)).toBe(true);
    expect(CliUsageError.is(new Error('x'))).toBe(false);
    expect(CliUsageError.is(null)).toBe(false);
    expect(CliUsageError.is('CLI_USAGE')).toBe(false);
  });
});
