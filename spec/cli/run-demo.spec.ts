import { runDemo } from '../../src/cli/demo';
import { runCli } from '../../src/cli/run';
import { captureIo } from './helpers';

// The demo itself belongs to its own spec; here only the dispatch is under test, so the demo is
// replaced by a stub that records its arguments.
jest.mock('../../src/cli/demo', () => ({ runDemo: jest.fn(async () => 7) }));

it('defaults the demo environment to process.env', async () => {
  jest.mocked(runDemo).mockClear();
  await runCli(['demo'], captureIo());
  expect(jest.mocked(runDemo).mock.calls[0]?.[1]?.env).toBe(process.env);
});

describe('runCli demo', () => {
  it('passes the remaining arguments, the output streams and the environment to runDemo and returns its exit code', async () => {
    const io = captureIo();
    const env = { APPSYNC_EVENTS_NAMESPACE: 'chat' };
    expect(await runCli(['demo', '--port', 'not-validated-here'], { ...io, env })).toBe(7);
    expect(jest.mocked(runDemo)).toHaveBeenCalledWith(['--port', 'not-validated-here'], { stdout: io.stdout, stderr: io.stderr, env });
    expect(io.out()).toBe('');
    expect(io.err()).toBe('');
  });
});
