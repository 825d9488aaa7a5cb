/**
 * Resilience against the emulator's fault controls: reconnect with backoff, resubscribe, keep-alive
 * watchdog, publish outcomes across failures, terminal errors, and closing during backoff.
 */
import { filter, firstValueFrom, lastValueFrom, take, toArray, type Observable } from 'rxjs';
import {
  ConnectionError,
  KeepAliveTimeoutError,
  PublishOutcomeUnknownError,
  UnauthorizedError,
  createEventsClient,
  type ConnectionState,
  type EventsClient,
  type EventsClientConfig,
} from '../../src';
import { startEventApi, type EventApi, type EventApiOptions } from '../../src/testing';

let api: EventApi;
const clients: EventsClient[] = [];

async function setup(options: EventApiOptions = {}, config: Partial<EventsClientConfig> = {}): Promise<EventsClient> {
  api = await startEventApi(options);
  const c = createEventsClient({
    ...api.clientConfig,
    lingerMs: 0,
    retry: { initialDelayMs: 20, maxDelayMs: 200, random: () => 1 },
    ...config,
  });
  clients.push(c);
  return c;
}

function record(states$: Observable<ConnectionState>): ConnectionState[] {
  const seen: ConnectionState[] = [];
  states$.subscribe((s) => seen.push(s));
  return seen;
}

function state(c: EventsClient, predicate: (s: ConnectionState) => boolean): Promise<ConnectionState> {
  return firstValueFrom(c.connectionState$.pipe(filter(predicate)));
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await api?.close();
});

it('resubscribes after every connection is dropped and receives events published after the reconnect', async () => {
  const c = await setup();
  const values: unknown[] = [];
  let ended = false;
  c.subscribe('/default/live').subscribe({ next: (v) => values.push(v), error: () => (ended = true), complete: () => (ended = true) });
  const subscribed = lastValueFrom(c.subscribed$.pipe(take(2), toArray()));
  await firstValueFrom(c.subscribed$);
  await api.publish('/default/live', ['before']);
  await firstValueFrom(c.messages$.pipe(filter((m) => m.type === 'data')));
  const states = record(c.connectionState$);
  api.faults.dropConnections({ code: 1001, reason: 'going away' });
  const events = await subscribed;
  expect(events).toEqual([
    { channel: '/default/live', resubscribed: false },
    { channel: '/default/live', resubscribed: true },
  ]);
  await firstValueFrom(c.publish('/default/live', ['after']));
  expect(values).toEqual(['before', 'after']);
  expect(ended).toBe(false);
  expect(states.map((s) => s.status)).toEqual(['connected', 'reconnecting', 'connecting', 'connected']);
  const reconnecting = states[1] as Extract<ConnectionState, { status: 'reconnecting' }>;
  expect(reconnecting.attempt).toBe(1);
  expect(reconnecting.delayMs).toBe(20);
  expect(reconnecting.error).toBeInstanceOf(ConnectionError);
  expect((reconnecting.error as ConnectionError).closeCode).toBe(1001);
});

it('treats silence for connectionTimeoutMs as a lost connection and reconnects within that time plus the first delay', async () => {
  const timeoutMs = 300;
  const c = await setup({ connectionTimeoutMs: timeoutMs, keepAliveIntervalMs: 50 });
  c.subscribe('/default/ka').subscribe();
  await firstValueFrom(c.subscribed$);
  const paused = Date.now();
  api.faults.pauseKeepAlive();
  const lost = (await state(c, (s) => s.status === 'reconnecting')) as Extract<ConnectionState, { status: 'reconnecting' }>;
  api.faults.resumeKeepAlive();
  expect(lost.error).toBeInstanceOf(KeepAliveTimeoutError);
  await state(c, (s) => s.status === 'connected');
  await firstValueFrom(c.subscribed$);
  const elapsed = Date.now() - paused;
  // Upper bound: timeout + first backoff (20 ms) + generous slack for a loaded CI machine.
  expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 60);
  expect(elapsed).toBeLessThan(timeoutMs + 20 + 1500);
});

it('backs off through refused connections and then connects, while connect() fails fast', async () => {
  const c = await setup();
  api.faults.refuseConnections(2, 503);
  const states = record(c.connectionState$);
  // A subscription waits through transient failures (connect() would fail fast instead).
  c.subscribe('/default/r').subscribe();
  await firstValueFrom(c.subscribed$);
  expect(states.map((s) => (s.status === 'reconnecting' ? `${s.status}:${s.attempt}:${s.delayMs}` : s.status))).toEqual([
    'idle',
    'connecting',
    'reconnecting:1:20',
    'connecting',
    'reconnecting:2:40',
    'connecting',
    'connected',
  ]);
  const other = createEventsClient({ ...api.clientConfig, lingerMs: 0 });
  clients.push(other);
  api.faults.refuseConnections(1, 503);
  const error = await other.connect().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectionError);
  expect((error as ConnectionError).httpStatus).toBe(503);
});

it('ends in a terminal state when the credentials are refused on reconnect, and fails the subscribers', async () => {
  let key = '';
  // Nothing connects before the first subscribe, so the key can be filled in after setup.
  const failing = await setup({}, { auth: ({ host }) => ({ host, 'x-api-key': key }), retry: { initialDelayMs: 20, random: () => 1 } });
  key = api.apiKey;
  const result = lastValueFrom(failing.subscribe('/default/t')).catch((e: unknown) => e);
  await firstValueFrom(failing.subscribed$);
  key = 'da2-revokedrevokedrevokedrevoked';
  api.faults.dropConnections();
  const closed = (await state(failing, (s) => s.status === 'closed')) as Extract<ConnectionState, { status: 'closed' }>;
  expect(closed.error).toBeInstanceOf(UnauthorizedError);
  expect(await result).toBeInstanceOf(UnauthorizedError);
  expect(JSON.stringify(closed)).not.toContain('da2-revoked');
});

it('holds a publish issued during an outage until the connection is back, then sends it', async () => {
  const c = await setup();
  await c.connect();
  api.faults.refuseConnections(1, 503);
  api.faults.dropConnections();
  await state(c, (s) => s.status === 'reconnecting');
  const result = await firstValueFrom(c.publish('/default/outage', [{ n: 1 }]));
  expect(result.successful).toEqual([0]);
});

it('reports an unknown outcome for a publish whose frame was sent on a socket that then dropped', async () => {
  const c = await setup();
  await c.connect();
  api.faults.withholdReplies(true);
  const sent = firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'in' && t.type === 'publish')));
  const outcome = firstValueFrom(c.publish('/default/unknown', [1, 2])).catch((e: unknown) => e);
  await sent;
  api.faults.dropConnections();
  const error = await outcome;
  expect(error).toBeInstanceOf(PublishOutcomeUnknownError);
  expect((error as PublishOutcomeUnknownError).indices).toEqual([0, 1]);
});

it('re-sends a publish declared idempotent after the connection is back', async () => {
  const c = await setup();
  await c.connect();
  api.faults.withholdReplies(true);
  const sent = firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'in' && t.type === 'publish')));
  const outcome = firstValueFrom(c.publish('/default/again', [1], { idempotent: true }));
  await sent;
  api.faults.withholdReplies(false);
  api.faults.dropConnections();
  expect((await outcome).successful).toEqual([0]);
  expect(api.stats().received.publish).toBe(2);
});

it('retries an operation refused as unauthorized once with fresh auth, then fails with UnauthorizedError', async () => {
  let calls = 0;
  const counting = await setup(
    {},
    {
      auth: (request) => {
        if (request.kind === 'subscribe') calls++;
        return { host: request.host, 'x-api-key': api.apiKey };
      },
    },
  );
  await counting.connect();
  api.faults.expireCredentials(1);
  counting.subscribe('/default/once').subscribe();
  await firstValueFrom(counting.subscribed$);
  expect(calls).toBe(2);
  api.faults.expireCredentials(2);
  const error = await lastValueFrom(counting.subscribe('/default/twice')).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UnauthorizedError);
  expect(calls).toBe(4);
});

it('handles a server-side close at the maximum connection age like any other drop', async () => {
  const c = await setup({ maxConnectionAgeMs: 150 }, { retry: { initialDelayMs: 10, random: () => 0 } });
  c.subscribe('/default/age').subscribe();
  const two = lastValueFrom(c.subscribed$.pipe(take(2), toArray()));
  expect((await two).map((e) => e.resubscribed)).toEqual([false, true]);
});

it('closes the socket when the last subscription ends (linger 0) and reopens on the next use', async () => {
  const c = await setup();
  const s = c.subscribe('/default/lazy').subscribe();
  await firstValueFrom(c.subscribed$);
  const idle = state(c, (x) => x.status === 'idle');
  s.unsubscribe();
  await idle;
  const r = await firstValueFrom(c.publish('/default/lazy', [1]));
  expect(r.successful).toEqual([0]);
  expect(api.stats().connectionsOpened).toBe(2);
});

it('closing the client during backoff stops reconnecting', async () => {
  const c = await setup({}, { retry: { initialDelayMs: 60_000, random: () => 1 } });
  c.subscribe('/default/x').subscribe({ error: () => undefined });
  await firstValueFrom(c.subscribed$);
  api.faults.dropConnections();
  await state(c, (s) => s.status === 'reconnecting');
  const opened = api.stats().connectionsOpened;
  const states = lastValueFrom(c.connectionState$.pipe(toArray()));
  c.close();
  expect((await states).map((s) => s.status)).toEqual(['reconnecting', 'closed']);
  expect(api.stats().connectionsOpened).toBe(opened);
  // Jest exiting on its own (no --forceExit) proves the 60 s backoff timer was cancelled.
});

it('starts a fresh attempt on the next use after a terminal failure (closed → connecting)', async () => {
  let key = 'da2-notyetnotyetnotyetnotyetnoty';
  const c = await setup({}, { auth: ({ host }) => ({ host, 'x-api-key': key }) });
  await expect(c.connect()).rejects.toBeInstanceOf(UnauthorizedError);
  const states = record(c.connectionState$);
  key = api.apiKey; // e.g. the user signed in again
  await c.connect();
  expect(states.map((s) => s.status)).toEqual(['closed', 'connecting', 'connected']);
});
