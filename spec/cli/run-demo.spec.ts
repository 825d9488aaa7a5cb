import { runDemo } from '../../src/cli/demo';
import { runCli } from '../../src/cli/run';
import { captureIo } from './helpers';

// The demo itself belongs to its own spec; here only the dispatch is under test, so the demo is
// replaced by a stub that records its arguments.
jest.mock('../../src/cli/demo', () => ({ runDemo: jest.fn(async () => 7) }));

describe('runCli demo', () => {
  it('passes the remaining arguments to runDemo untouched and returns its exit code', async () => {
    const io = captureIo();
    expect(await runCli(['demo', '--port', 'not-validated-here'], io)).toBe(7);
    expect(jest.mocked(runDemo)).toHaveBeenCalledWith(['--port', 'not-validated-here']);
    expect(io.out()).toBe('');
    expect(io.err()).toBe('');
  });
});
