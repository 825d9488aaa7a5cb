/**
 * Marble tests of the connection lifecycle in virtual time, against a fake socket: handshake,
 * connect(), keep-alive watchdog, reconnection backoff, linger and close(). Every time in these
 * tests is a virtual millisecond of the TestScheduler the client runs on.
 */
import type { Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ConnectionState } from '../../src/connection/state';
import {
  ConnectionClosedError,
  ConnectionError,
  KeepAliveTimeoutError,
  PublishOutcomeUnknownError,
  ServerError,
  TimeoutError,
  UnauthorizedError,
  type AppSyncEventsError,
} from '../../src/errors';
import { AUTH, REALTIME_URL, anError, createMarbleHarness, expectedSubprotocols, handled, type MarbleHarness } from '../helpers/fake-socket';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

const idle: ConnectionState = { status: 'idle' };
const connecting = (attempt: number): ConnectionState => ({ status: 'connecting', attempt });
const connected = (connectionTimeoutMs: number): ConnectionState => ({ status: 'connected', connectionTimeoutMs });
const reconnecting = (attempt: number, delayMs: number, error: AppSyncEventsError): ConnectionState => ({ status: 'reconnecting', attempt, delayMs, error });
const closed = (error?: AppSyncEventsError): ConnectionState => (error ? { status: 'closed', error } : { status: 'closed' });
const ack = (connectionTimeoutMs = 300_000) => ({ type: 'connection_ack', connectionTimeoutMs });

describe('handshake', () => {
  it('opens the socket on the first subscribe with both subprotocols, sends connection_init on open and goes idle → connecting → connected', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.connectionState$).toBe('i 9ms c 19ms a 969ms (x|)', {
        i: idle,
        c: connecting(1),
        a: connected(300_000),
        x: closed(),
      });
      h.at(5, () => expect(h.sockets).toHaveLength(0)); // nothing opens before it is needed
      h.at(10, () => {
        h.client.subscribe('/default/a').subscribe();
        expect(h.sockets).toHaveLength(1);
        expect(h.socket(0).url).toBe(REALTIME_URL);
        expect(h.socket(0).protocols).toEqual(expectedSubprotocols(AUTH));
        expect(h.socket(0).sent).toEqual([]);
        expect(h.authCalls.map((r) => r.kind)).toEqual(['connect']);
      });
      h.at(20, () => {
        h.socket(0).open();
        expect(h.socket(0).sent).toEqual([{ type: 'connection_init' }]);
      });
      h.at(30, () => {
        h.socket(0).receive(ack());
        expect(h.socket(0).sent).toEqual([
          { type: 'connection_init' },
          { type: 'subscribe', id: 'id1', channel: '/default/a', authorization: AUTH },
        ]);
      });
      h.at(1000, () => h.client.close());
    });
  });

  it('connect() resolves with the connected state at the ack', async () => {
    let result: Promise<unknown> | undefined;
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      h.at(10, () => (result = handled(h.client.connect())));
      h.at(20, () => h.accept(0, 120_000));
      h.at(30, () => h.client.close());
    });
    await expect(result).resolves.toEqual(connected(120_000));
  });

  it('connect() rejects with TimeoutError when no ack arrives within connectTimeoutMs, and does not retry', async () => {
    let result: Promise<unknown> | undefined;
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { connectTimeoutMs: 5000 });
      expectObservable(h.client.connectionState$).toBe('i 9ms c 4999ms x', {
        i: idle,
        c: connecting(1),
        x: closed(anError(TimeoutError, { operation: 'connect', timeoutMs: 5000 })),
      });
      h.at(10, () => (result = handled(h.client.connect())));
      h.at(20, () => h.socket(0).open());
      return h;
    });
    expect(h.socket(0).closeCalls).toEqual([{ code: 1000, reason: 'connection lost', at: 5010 }]);
    expect(h.sockets).toHaveLength(1);
    expect(h.socket(0).sent).toEqual([{ type: 'connection_init' }]);
    expect(scheduler.actions).toEqual([]);
    await expect(result).rejects.toEqual(anError(TimeoutError, { operation: 'connect', timeoutMs: 5000 }));
  });

  it('connect() rejects with the first failure when a subscription keeps the connection retrying', async () => {
    let result: Promise<unknown> | undefined;
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { connectTimeoutMs: 5000, retry: { random: () => 0.5 } });
      const states = h.record(h.client.connectionState$);
      h.client.subscribe('/default/a').subscribe();
      h.at(1, () => (result = handled(h.client.connect())));
      h.at(10, () => h.socket(0).open());
      h.at(5101, () => {
        expect(states.slice(2)).toEqual([
          { at: 5000, next: reconnecting(1, 100, anError(TimeoutError, { operation: 'connect', timeoutMs: 5000 })) },
          { at: 5100, next: connecting(2) },
        ]);
        h.client.close();
      });
      return h;
    });
    expect(h.sockets.map((s) => s.createdAt)).toEqual([0, 5100]);
    await expect(result).rejects.toEqual(anError(TimeoutError, { operation: 'connect', timeoutMs: 5000 }));
  });

  it('a subscribe made while reconnecting goes out on the next connection, after its ack', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0.5 } });
      h.client.subscribe('/default/a').subscribe();
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).serverClose(1006)); // retry after 100
      h.at(50, () => h.client.subscribe('/default/b').subscribe());
      h.at(130, () => h.socket(1).open());
      h.at(140, () => h.socket(1).receive(ack()));
      h.at(200, () => h.client.close());
      return h;
    });
    expect(h.socket(1).sentLog).toEqual([
      { at: 130, frame: { type: 'connection_init' } },
      { at: 140, frame: { type: 'subscribe', id: 'id2', channel: '/default/a', authorization: AUTH } },
      { at: 140, frame: { type: 'subscribe', id: 'id3', channel: '/default/b', authorization: AUTH } },
    ]);
  });

  it('connection_error (Unauthorized) is terminal: UnauthorizedError to subscribers and connect(), closed with that error, never retried', async () => {
    let result: Promise<unknown> | undefined;
    const errors = [{ errorType: 'UnauthorizedException', errorCode: 401, message: 'You are not authorized to make this call.' }];
    const expected = anError(UnauthorizedError, { operation: 'connect', errors });
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.connectionState$).toBe('i 9ms c 19ms x', { i: idle, c: connecting(1), x: closed(expected) });
      const events = h.recordAt(10, h.client.subscribe('/default/a'));
      h.at(10, () => (result = handled(h.client.connect())));
      h.at(20, () => h.socket(0).open());
      h.at(30, () => h.socket(0).receive({ type: 'connection_error', errors }));
      h.at(1_000_000, () => {
        expect(events).toEqual([{ at: 30, error: expected }]);
        expect(h.sockets).toHaveLength(1);
        expect(h.socket(0).closeCalls).toEqual([{ code: 1000, reason: 'connection lost', at: 30 }]);
        expect(h.socket(0).sent).toEqual([{ type: 'connection_init' }]); // no subscribe went out
      });
    });
    await expect(result).rejects.toEqual(expected);
  });
});

describe('keep-alive watchdog', () => {
  it('fires exactly connectionTimeoutMs (from the ack) after the ack when nothing else arrives', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0.5 } });
      expectObservable(h.client.connectionState$).toBe('i 9ms c 9ms a 999ms r 99ms n 99ms (x|)', {
        i: idle,
        c: connecting(1),
        a: connected(1000),
        r: reconnecting(1, 100, anError(KeepAliveTimeoutError, { timeoutMs: 1000 })),
        n: connecting(2),
        x: closed(),
      });
      h.at(10, () => void h.client.connect());
      h.at(20, () => h.accept(0, 1000));
      h.at(1121, () => {
        expect(h.socket(0).closeCalls).toEqual([{ code: 1000, reason: 'connection lost', at: 1020 }]);
        expect(h.sockets.map((s) => s.createdAt)).toEqual([10, 1120]);
      });
      h.at(1220, () => h.client.close());
    });
  });

  it('is reset by every frame (ka, subscribe_success, data) and fires connectionTimeoutMs after the last one', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0.5 } });
      expectObservable(h.client.connectionState$).toBe('i 9ms c 19ms a 1869ms r 99ms n 99ms (x|)', {
        i: idle,
        c: connecting(1),
        a: connected(1000),
        r: reconnecting(1, 100, anError(KeepAliveTimeoutError, { timeoutMs: 1000 })),
        n: connecting(2),
        x: closed(),
      });
      const events = h.recordAt(10, h.client.subscribe('/default/a'));
      h.at(20, () => h.socket(0).open());
      h.at(30, () => h.socket(0).receive(ack(1000)));
      h.at(40, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(500, () => h.socket(0).receive({ type: 'ka' }));
      h.at(900, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '{"n":1}' }));
      h.at(2100, () => {
        expect(events).toEqual([{ at: 900, next: { n: 1 } }]); // the subscriber neither errored nor completed
        h.client.close();
      });
    });
  });

  it('uses keepAliveTimeoutMs instead of the ack value when configured', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { keepAliveTimeoutMs: 250, retry: { random: () => 0 } });
      expectObservable(h.client.connectionState$).toBe('i 9ms c 9ms a 249ms (rn) 1ms (x|)', {
        i: idle,
        c: connecting(1),
        a: connected(250),
        r: reconnecting(1, 0, anError(KeepAliveTimeoutError, { timeoutMs: 250 })),
        n: connecting(2),
        x: closed(),
      });
      h.at(10, () => void h.client.connect());
      h.at(20, () => h.accept(0, 300_000));
      h.at(275, () => h.client.close());
    });
  });
});

describe('reconnection backoff', () => {
  it('waits random × min(maxDelayMs, initialDelayMs × factor^(n-1)) and turns terminal after maxAttempts retries, with the last error', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, {
        retry: { initialDelayMs: 100, factor: 2, maxDelayMs: 350, maxAttempts: 4, random: () => 0.5 },
      });
      const states = h.record(h.client.connectionState$);
      const events = h.record(h.client.subscribe('/default/a'));
      // Each socket fails 5 ms after it was created.
      const fail = (i: number) => () => h.socket(i).fail(`connect ECONNREFUSED #${i}`);
      h.at(5, fail(0));
      h.at(60, fail(1));
      h.at(165, fail(2));
      h.at(345, fail(3));
      h.at(525, fail(4));
      h.at(1_000_000, () => {
        const e = (i: number) => anError(ConnectionError, { closeCode: 1006, message: `could not connect to ${REALTIME_URL} (code 1006: connect ECONNREFUSED #${i})` });
        expect(states).toEqual([
          { at: 0, next: idle },
          { at: 0, next: connecting(1) },
          { at: 5, next: reconnecting(1, 50, e(0)) },
          { at: 55, next: connecting(2) },
          { at: 60, next: reconnecting(2, 100, e(1)) },
          { at: 160, next: connecting(3) },
          { at: 165, next: reconnecting(3, 175, e(2)) }, // bound 400 capped at 350
          { at: 340, next: connecting(4) },
          { at: 345, next: reconnecting(4, 175, e(3)) },
          { at: 520, next: connecting(5) },
          { at: 525, next: closed(e(4)) },
        ]);
        expect(h.sockets.map((s) => s.createdAt)).toEqual([0, 55, 160, 340, 520]);
        expect(events).toEqual([{ at: 525, error: e(4) }]);
      });
    });
  });

  it('takes each delay from retry.random (full jitter, floored)', () => {
    const randoms = [0.9999, 0.25, 0];
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, {
        retry: { initialDelayMs: 1000, factor: 3, maxDelayMs: 5000, random: () => randoms.shift() as number },
      });
      const states = h.record(h.client.connectionState$);
      h.client.subscribe('/default/a').subscribe();
      h.at(1, () => h.socket(0).serverClose(1006));
      h.at(1001, () => h.socket(1).serverClose(1006)); // created at 1 + 999
      h.at(1752, () => h.socket(2).serverClose(1006)); // created at 1001 + floor(0.25 × 3000)
      h.at(1753, () => {
        expect(states.filter((s) => 'next' in s && s.next.status === 'reconnecting')).toEqual([
          { at: 1, next: reconnecting(1, 999, anError(ConnectionError)) },
          { at: 1001, next: reconnecting(2, 750, anError(ConnectionError)) },
          { at: 1752, next: reconnecting(3, 0, anError(ConnectionError)) },
        ]);
        expect(h.sockets.map((s) => s.createdAt)).toEqual([0, 1000, 1751, 1752]);
        h.client.close();
      });
    });
  });

  it('resets the backoff after a connection that stayed up resetAfterMs, not after a shorter one', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: { initialDelayMs: 100, resetAfterMs: 1000, random: () => 0.5 } });
      const states = h.record(h.client.connectionState$);
      h.client.subscribe('/default/a').subscribe();
      h.at(5, () => h.socket(0).fail('getaddrinfo ENOTFOUND')); // failure 1: delay 50
      h.at(56, () => h.accept(1));
      h.at(555, () => h.socket(1).serverClose(1001, 'going away')); // up 499 ms: failure 2, delay 100
      h.at(656, () => h.accept(2));
      h.at(1656, () => h.socket(2).serverClose(1001, 'going away')); // up 1000 ms: reset, failure 1 again
      h.at(1707, () => h.accept(3));
      h.at(1800, () => {
        expect(states.filter((s) => 'next' in s && s.next.status === 'reconnecting')).toEqual([
          { at: 5, next: reconnecting(1, 50, anError(ConnectionError)) },
          { at: 555, next: reconnecting(2, 100, anError(ConnectionError, { closeCode: 1001, closeReason: 'going away' })) },
          { at: 1656, next: reconnecting(1, 50, anError(ConnectionError, { closeCode: 1001 })) },
        ]);
        expect(h.sockets.map((s) => s.createdAt)).toEqual([0, 55, 655, 1706]);
        h.client.close();
      });
    });
  });

  it.each([
    ['an HTTP 401 on the upgrade', (h: MarbleHarness) => h.socket(0).fail('Unexpected server response: 401'), anError(ConnectionError, { httpStatus: 401 })],
    ['an HTTP 403 on the upgrade', (h: MarbleHarness) => h.socket(0).fail('Unexpected server response: 403'), anError(ConnectionError, { httpStatus: 403 })],
    [
      'a BadRequestException connection_error',
      (h: MarbleHarness) => {
        h.socket(0).open();
        h.socket(0).receive({ type: 'connection_error', errors: [{ errorType: 'BadRequestException', message: 'signature mismatch' }] });
      },
      anError(ServerError, { operation: 'connect', errors: [{ errorType: 'BadRequestException', message: 'signature mismatch' }] }),
    ],
  ])('does not retry %s: closed with the error at once', (_name, failure, expected) => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0.5 } });
      const states = h.record(h.client.connectionState$);
      const events = h.record(h.client.subscribe('/default/a'));
      h.at(10, () => failure(h));
      h.at(1_000_000, () => {
        expect(states).toEqual([
          { at: 0, next: idle },
          { at: 0, next: connecting(1) },
          { at: 10, next: closed(expected) },
        ]);
        expect(events).toEqual([{ at: 10, error: expected }]);
        expect(h.sockets).toHaveLength(1);
      });
    });
  });

  it('retries an HTTP 503 on the upgrade', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0.5 } });
      const states = h.record(h.client.connectionState$);
      h.client.subscribe('/default/a').subscribe();
      h.at(10, () => h.socket(0).fail('Unexpected server response: 503'));
      h.at(200, () => {
        expect(states.slice(2)).toEqual([
          { at: 10, next: reconnecting(1, 100, anError(ConnectionError, { httpStatus: 503 })) },
          { at: 110, next: connecting(2) },
        ]);
        h.client.close();
      });
    });
  });

  it('lets shouldRetry veto a retryable failure, and asks it with that failure', () => {
    const asked: AppSyncEventsError[] = [];
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, {
        retry: { random: () => 0.5, shouldRetry: (e) => (asked.push(e), !(e instanceof KeepAliveTimeoutError)) },
      });
      const states = h.record(h.client.connectionState$);
      const events = h.record(h.client.subscribe('/default/a'));
      h.at(10, () => h.accept(0, 1000));
      h.at(1_000_000, () => {
        const expected = anError(KeepAliveTimeoutError, { timeoutMs: 1000 });
        expect(asked).toEqual([expected]);
        expect(states.slice(2)).toEqual([
          { at: 10, next: connected(1000) },
          { at: 1010, next: closed(expected) },
        ]);
        expect(events).toEqual([{ at: 1010, error: expected }]);
        expect(h.sockets).toHaveLength(1);
      });
    });
  });

  it('with retry: false a drop is terminal (closed with the error) even when the lost publish was the last use and lingerMs is 0', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: false, lingerMs: 0 });
      const states = h.record(h.client.connectionState$);
      const published = h.recordAt(10, h.client.publish('/default/c', [1]));
      h.at(20, () => h.accept(0));
      h.at(30, () => h.socket(0).serverClose(1001, 'going away'));
      h.at(40, () => {
        const lost = anError(ConnectionError, { closeCode: 1001 });
        expect(published).toEqual([{ at: 30, error: anError(PublishOutcomeUnknownError, { channel: '/default/c', indices: [0] }) }]);
        expect(states.at(-1)).toEqual({ at: 30, next: closed(lost) });
        expect(h.sockets).toHaveLength(1);
        h.client.close();
      });
    });
  });

  it('with retries on, a drop that ends the last use (lingerMs 0) goes back to idle without reconnecting', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { lingerMs: 0, retry: { random: () => 0.5 } });
      const states = h.record(h.client.connectionState$);
      h.recordAt(10, h.client.publish('/default/c', [1]));
      h.at(20, () => h.accept(0));
      h.at(30, () => h.socket(0).serverClose(1001, 'going away'));
      h.at(10_000, () => {
        expect(states.at(-1)).toEqual({ at: 30, next: { status: 'idle' } });
        expect(h.sockets).toHaveLength(1);
        h.client.close();
      });
    });
  });

  it('close() during the backoff stops the retry: no socket is opened later', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: { initialDelayMs: 1000, random: () => 0.5 } });
      h.client.subscribe('/default/a').subscribe();
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).serverClose(1006));
      h.at(100, () => {
        h.client.close();
        expect(scheduler.actions).toEqual([]); // the retry timer is gone
      });
      return h;
    });
    expect(h.sockets).toHaveLength(1);
    expect(scheduler.now()).toBe(100);
  });

  it('reports the close during the backoff as closed (no error) and completes connectionState$', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { retry: { initialDelayMs: 1000, random: () => 0.5 } });
      expectObservable(h.client.connectionState$).toBe('i 9ms c 9ms a 9ms r 79ms (x|)', {
        i: idle,
        c: connecting(1),
        a: connected(300_000),
        r: reconnecting(1, 500, anError(ConnectionError, { closeCode: 1006, message: `lost connection to ${REALTIME_URL} (code 1006)` })),
        x: closed(),
      });
      h.at(10, () => h.client.subscribe('/default/a').subscribe());
      h.at(20, () => h.accept(0));
      h.at(30, () => h.socket(0).serverClose(1006));
      h.at(110, () => h.client.close());
    });
  });
});

describe('linger', () => {
  it('closes the socket exactly lingerMs after the last subscription ended, and goes back to idle', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { lingerMs: 500 });
      const states = h.record(h.client.connectionState$);
      let sub: Subscription | undefined;
      h.at(10, () => (sub = h.client.subscribe('/default/a').subscribe()));
      h.at(20, () => h.accept(0));
      h.at(30, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(100, () => sub?.unsubscribe());
      h.at(110, () => h.socket(0).receive({ type: 'unsubscribe_success', id: 'id1' }));
      h.at(611, () => {
        expect(h.socket(0).closeCalls).toEqual([{ code: 1000, reason: 'idle', at: 610 }]);
        expect(states.slice(3)).toEqual([{ at: 610, next: idle }]);
        expect(h.sockets).toHaveLength(1);
        expect(scheduler.actions).toEqual([]); // no keep-alive or request timer left behind
      });
    });
  });

  it('with lingerMs 0 closes as soon as the last unsubscribe is answered', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { lingerMs: 0 });
      const states = h.record(h.client.connectionState$);
      let sub: Subscription | undefined;
      h.at(10, () => (sub = h.client.subscribe('/default/a').subscribe()));
      h.at(20, () => h.accept(0));
      h.at(30, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(100, () => {
        sub?.unsubscribe();
        expect(h.socket(0).closedByClient).toBe(false); // the unsubscribe is still unanswered
      });
      h.at(110, () => {
        h.socket(0).receive({ type: 'unsubscribe_success', id: 'id1' });
        expect(h.socket(0).closeCalls).toEqual([{ code: 1000, reason: 'idle', at: 110 }]);
      });
      h.at(111, () => {
        expect(states.slice(3)).toEqual([{ at: 110, next: idle }]);
        expect(scheduler.actions).toEqual([]);
      });
    });
  });

  it('keeps the socket when a new subscription starts within the linger', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { lingerMs: 500 });
      const states = h.record(h.client.connectionState$);
      let sub: Subscription | undefined;
      h.at(10, () => (sub = h.client.subscribe('/default/a').subscribe()));
      h.at(20, () => h.accept(0));
      h.at(30, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(100, () => sub?.unsubscribe());
      h.at(110, () => h.socket(0).receive({ type: 'unsubscribe_success', id: 'id1' }));
      h.at(609, () => h.client.subscribe('/default/b').subscribe());
      h.at(2000, () => {
        expect(h.sockets).toHaveLength(1);
        expect(h.socket(0).closedByClient).toBe(false);
        expect(h.socket(0).sent.slice(3)).toEqual([{ type: 'subscribe', id: 'id2', channel: '/default/b', authorization: AUTH }]);
        expect(states.slice(3)).toEqual([]);
        h.client.close();
      });
    });
  });

  it('an explicit connect() pins the connection: no linger close after the last subscription', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { lingerMs: 0 });
      let sub: Subscription | undefined;
      h.at(10, () => void h.client.connect());
      h.at(20, () => h.accept(0));
      h.at(30, () => (sub = h.client.subscribe('/default/a').subscribe()));
      h.at(40, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(50, () => sub?.unsubscribe());
      h.at(60, () => h.socket(0).receive({ type: 'unsubscribe_success', id: 'id1' }));
      h.at(100_000, () => {
        h.socket(0).receive({ type: 'ka' });
        expect(h.socket(0).closedByClient).toBe(false);
        h.client.close();
        expect(h.socket(0).closeCalls).toEqual([{ code: 1000, reason: 'client closed', at: 100_000 }]);
      });
    });
  });
});

describe('close()', () => {
  it.each([500, 0])('completes subscribers and connectionState$, sends nothing more, closes with 1000 and leaves no scheduled action (lingerMs %i)', (lingerMs) => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { lingerMs });
      expectObservable(h.client.connectionState$).toBe('i 9ms c 9ms a 79ms (x|)', { i: idle, c: connecting(1), a: connected(300_000), x: closed() });
      const a = h.recordAt(10, h.client.subscribe('/default/a'));

      const b = h.recordAt(10, h.client.subscribeMessages('/default/b'));
      const subscribed = h.recordAt(10, h.client.subscribed$);
      h.at(20, () => h.accept(0));
      h.at(30, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(100, () => {
        h.client.close();
        expect(h.socket(0).sent).toEqual([
          { type: 'connection_init' },
          { type: 'subscribe', id: 'id1', channel: '/default/a', authorization: AUTH },
          { type: 'subscribe', id: 'id2', channel: '/default/b', authorization: AUTH },
        ]);
        expect(h.socket(0).closeCalls).toEqual([{ code: 1000, reason: 'client closed', at: 100 }]);
        expect(scheduler.actions).toEqual([]);
        expect(a).toEqual([{ at: 100, complete: true }]);
        expect(b).toEqual([{ at: 100, complete: true }]);
        expect(subscribed).toEqual([{ at: 30, next: { channel: '/default/a', resubscribed: false } }, { at: 100, complete: true }]);
      });
    });
  });

  it('fails a publish whose frame is on the wire with PublishOutcomeUnknownError', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      const published = h.recordAt(10, h.client.publish('/default/c', [1, 2]));
      h.at(20, () => h.accept(0));
      h.at(30, () => {
        h.client.close();
        expect(published).toEqual([{ at: 30, error: anError(PublishOutcomeUnknownError, { channel: '/default/c', indices: [0, 1] }) }]);
        expect(scheduler.actions).toEqual([]);
      });
    });
  });

  it('fails a publish still waiting for the connection with ConnectionClosedError, nothing sent', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      const published = h.recordAt(10, h.client.publish('/default/c', [1]));
      h.at(20, () => h.socket(0).open());
      h.at(30, () => {
        h.client.close();
        expect(published).toEqual([{ at: 30, error: anError(ConnectionClosedError, { operation: 'publish' }) }]);
        expect(h.socket(0).sent).toEqual([{ type: 'connection_init' }]);
        expect(scheduler.actions).toEqual([]);
      });
    });
  });

  it('is idempotent, and afterwards subscribe and publish fail with ConnectionClosedError without opening a socket', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      h.at(10, () => {
        h.client.close();
        h.client.close();
        const s = h.record(h.client.subscribe('/default/a'));
        const p = h.record(h.client.publish('/default/a', [1]));
        expect(s).toEqual([{ at: 10, error: anError(ConnectionClosedError) }]);
        expect(p).toEqual([{ at: 10, error: anError(ConnectionClosedError) }]);
        expect(h.sockets).toHaveLength(0);
      });
    });
  });
});
