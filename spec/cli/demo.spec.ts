import { runDemo } from '../../src/cli/demo';
import { startEventApi } from '../../src/testing';

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

describe('demo failures: exit 1 with "demo failed", never a crash or a rejection', () => {
  it.each([
    ['only the endpoint', { APPSYNC_EVENTS_HTTP_ENDPOINT: 'http://127.0.0.1:9/event' }, /^demo failed: Error: APPSYNC_EVENTS_API_KEY not set: set APPSYNC_EVENTS_HTTP_ENDPOINT and APPSYNC_EVENTS_API_KEY to run against AWS/],
    ['only the key', { APPSYNC_EVENTS_API_KEY: 'da2-x' }, /^demo failed: Error: APPSYNC_EVENTS_HTTP_ENDPOINT not set/],
    ['only the realtime endpoint', { APPSYNC_EVENTS_REALTIME_ENDPOINT: 'ws://127.0.0.1:9' }, /^demo failed: Error: APPSYNC_EVENTS_HTTP_ENDPOINT and APPSYNC_EVENTS_API_KEY not set/],
  ])('refuses half an AWS configuration (%s) instead of running against the emulator', async (_what, env, message) => {
    const { io, out, err } = capture();
    expect(await runDemo([], { ...io, env })).toBe(1);
    expect(err()).toMatch(message);
    expect(out()).not.toContain('emulator');
  });

  it.each([
    ['a bad namespace', { APPSYNC_EVENTS_NAMESPACE: 'a/b' }, /^demo failed: ValidationError: /],
    ['a bad endpoint', { APPSYNC_EVENTS_HTTP_ENDPOINT: 'not a url', APPSYNC_EVENTS_API_KEY: 'k' }, /^demo failed: ValidationError: httpEndpoint is not a valid host or URL/],
  ])('reports %s as a failure', async (_what, env, message) => {
    const { io, err } = capture();
    expect(await runDemo([], { ...io, env })).toBe(1);
    expect(err()).toMatch(message);
  });

  it('never prints credentials given in the endpoint URL', async () => {
    const { io, out, err } = capture();
    const env = { APPSYNC_EVENTS_HTTP_ENDPOINT: 'https://user:hunter2@127.0.0.1:1/event?X-Amz-Signature=deadbeef', APPSYNC_EVENTS_API_KEY: 'k' };
    expect(await runDemo([], { ...io, env })).toBe(1);
    expect(out() + err()).not.toMatch(/hunter2|deadbeef/);
  });

  it('fails when the server refuses the subscribe (no such namespace), with the server error', async () => {
    const api = await startEventApi({ namespaces: ['chat'] });
    try {
      const { io, err } = capture();
      const env = { APPSYNC_EVENTS_HTTP_ENDPOINT: api.httpEndpoint, APPSYNC_EVENTS_REALTIME_ENDPOINT: api.realtimeEndpoint, APPSYNC_EVENTS_API_KEY: api.apiKey };
      expect(await runDemo([], { ...io, env })).toBe(1);
      expect(err()).toMatch(/^demo failed: ServerError: subscribe failed: /);
      expect(err()).not.toContain(api.apiKey);
    } finally {
      await api.close();
    }
  });

  it('takes no arguments: exit 2 with a usage hint', async () => {
    const { io, err } = capture();
    expect(await runDemo(['--port', '1'], io)).toBe(2);
    expect(err()).toContain("demo takes no arguments (it reads its settings from the environment), got: --port <value>\nRun 'appsync-events demo --help' for usage.");
  });
});
