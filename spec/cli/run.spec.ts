import { EventEmitter } from 'node:events';
import { READY_LINE } from '../../src/cli/banner';
import { runCli } from '../../src/cli/run';
import { VERSION } from '../../src/cli/version';
import { captureIo, httpPublish, portIsFree, readBanner } from './helpers';

describe('runCli', () => {
  it.each([[[]], [['--help']], [['help']]])('%j prints the main help and returns 0', async (argv) => {
    const io = captureIo();
    expect(await runCli(argv, io)).toBe(0);
    expect(io.out()).toContain('Usage:\n  appsync-events <command> [options]');
    expect(io.out()).toContain('serve    Run the local Event API emulator');
    expect(io.err()).toBe('');
  });

  it('`help serve` prints the serve help', async () => {
    const io = captureIo();
    expect(await runCli(['help', 'serve'], io)).toBe(0);
    expect(io.out()).toContain('appsync-events serve [options]');
  });

  it.each([[['--version']], [['-v']]])('%j prints the version', async (argv) => {
    const io = captureIo();
    expect(await runCli(argv, io)).toBe(0);
    expect(io.out()).toBe(`${VERSION}\n`);
  });

  it('reports an unknown command with exit code 2 and a pointer to --help', async () => {
    const io = captureIo();
    expect(await runCli(['srve'], io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(
      "appsync-events: unknown command 'srve' (did you mean 'serve'?); commands: serve, demo\nRun 'appsync-events --help' for usage.\n",
    );
  });

  it('reports a bad serve option with exit code 2', async () => {
    const io = captureIo();
    expect(await runCli(['serve', '--tls=1'], io)).toBe(2);
    expect(io.err()).toContain("option --tls is a flag and takes no value\nRun 'appsync-events serve --help' for usage.\n");
  });

  it('runs serve until SIGINT and then returns 0', async () => {
    const signals = new EventEmitter();
    const io = captureIo(signals);
    const exit = runCli(['serve', '--port', '0', '--api-key', 'run-spec'], io);
    const printed = readBanner(await io.waitForStdout(READY_LINE));
    expect((await httpPublish(printed.httpEndpoint, 'run-spec', '/default/a', [true])).status).toBe(200);
    signals.emit('SIGINT');
    expect(await exit).toBe(0);
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(await portIsFree(printed.port)).toBe(true);
  });
});
