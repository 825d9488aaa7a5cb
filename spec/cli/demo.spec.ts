import { runDemo } from '../../src/cli/demo';

function capture(): { io: Parameters<typeof runDemo>[1] & object; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env: {} },
    out: () => out,
    err: () => err,
  };
}

describe('demo (npm start)', () => {
  it('runs against the embedded emulator, prints states and the four events, and exits 0', async () => {
    const { io, out, err } = capture();
    expect(await runDemo([], io)).toBe(0);
    const text = out();
    expect(err()).toBe('');
    expect(text).toContain('Started the embedded emulator');
    expect(text).toMatch(/\[state\] +connecting \(attempt 1\)/);
    expect(text).toMatch(/\[state\] +connected/);
    expect(text).toContain('[publish] WebSocket, 3 events to /default/demo/greetings: successful [0,1,2], failed 0');
    expect(text).toContain('[publish] HTTP, 1 event to /default/demo/http: successful [0], failed 0');
    expect(text.match(/\[event\]/g)).toHaveLength(4);
    expect(text).toContain('{"text":"appsync-events-rx"}');
    expect(text).toContain('[done]    received 4 events on /default/*');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/\[state\] +closed$/);
  });

  it('uses the endpoint and key from the environment and reports failure with exit code 1 without printing the key', async () => {
    const { io, out, err } = capture();
    const key = 'da2-thisisnotarealkeythisisnotreal';
    const code = await runDemo([], {
      ...io,
      env: { APPSYNC_EVENTS_HTTP_ENDPOINT: 'http://127.0.0.1:9/event', APPSYNC_EVENTS_API_KEY: key },
    });
    expect(code).toBe(1);
    expect(out()).toContain('Using the AppSync Events API at http://127.0.0.1:9/event');
    expect(err()).toMatch(/demo failed: /);
    expect(out() + err()).not.toContain(key);
  });
});
