/**
 * A synchronous, in-memory WebSocket for marble tests of the client in virtual time, and a small
 * harness around `createEventsClient` + `TestScheduler`.
 *
 * Nothing here uses a real timer, a Promise or I/O: the test decides when a socket opens, which
 * frames the "server" sends and when it closes, by scheduling those steps on the same
 * `TestScheduler` the client gets as its `scheduler` (see {@link MarbleHarness.at}).
 *
 * @example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * import { createMarbleHarness } from '../helpers/fake-socket';
 *
 * const scheduler = new TestScheduler((a, e) => expect(a).toEqual(e));
 * scheduler.run(() => {
 *   const h = createMarbleHarness(scheduler);
 *   h.client.subscribe('/default/a').subscribe();
 *   h.at(10, () => h.socket(0).open());
 *   h.at(20, () => h.socket(0).receive({ type: 'connection_ack', connectionTimeoutMs: 300000 }));
 *   h.at(30, () => h.client.close());
 * });
 * ```
 */
import type { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { AuthProvider, AuthRequest } from '../../src/auth/types';
import { createEventsClient, type EventsClient, type EventsClientConfig } from '../../src/client';
import type { Authorization } from '../../src/protocol/messages';
import type { WebSocketConstructor, WebSocketLike } from '../../src/transport/websocket';

/** A frame the fake socket recorded or receives: a parsed JSON object. */
export type Frame = Record<string, unknown>;

/**
 * A `WebSocketLike` driven by the test. It starts CONNECTING; `open()`, `receive()`,
 * `serverClose()` and `fail()` play the server's part synchronously. `send()` on a socket that is
 * not open throws (a real socket would too), so a frame sent at the wrong moment fails the test.
 * `close()` by the client only records the call and delivers no close event back (with `ws` it
 * would arrive later; the connection ignores events of a socket it has replaced or ended).
 */
export class FakeWebSocket implements WebSocketLike {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  readyState = FakeWebSocket.CONNECTING;
  protocol = '';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;

  /** Every text frame the client sent, as sent. */
  readonly sentText: string[] = [];
  /** Every `close(code, reason)` call by the client (with its virtual time when the factory has a clock). */
  readonly closeCalls: { code: number | undefined; reason: string | undefined; at?: number }[] = [];
  /** Every frame the client sent, parsed, with its virtual time (when the factory has a clock). */
  readonly sentLog: { at: number | undefined; frame: Frame }[] = [];
  readonly protocols: readonly string[];
  /** Virtual time of creation, when the factory was given a clock. */
  createdAt: number | undefined;
  /** The factory's clock, if any. */
  now: (() => number) | undefined;

  constructor(
    readonly url: string,
    protocols?: string | string[],
  ) {
    this.protocols = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : [...protocols];
  }

  /** Every frame the client sent, parsed. */
  get sent(): Frame[] {
    return this.sentText.map((t) => JSON.parse(t) as Frame);
  }

  /** True once the client called `close()`. */
  get closedByClient(): boolean {
    return this.closeCalls.length > 0;
  }

  send(data: string): void {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error(`FakeWebSocket: send() while readyState is ${this.readyState}: ${data}`);
    this.sentText.push(data);
    this.sentLog.push({ at: this.now?.(), frame: JSON.parse(data) as Frame });
  }

  close(code?: number, reason?: string): void {
    this.closeCalls.push(this.now ? { code, reason, at: this.now() } : { code, reason });
    this.readyState = FakeWebSocket.CLOSED;
  }

  // The server's side ------------------------------------------------------------------------

  /** The upgrade succeeded: OPEN, the first subprotocol selected, `onopen`. */
  open(): void {
    this.expectState(FakeWebSocket.CONNECTING, 'open');
    this.readyState = FakeWebSocket.OPEN;
    this.protocol = this.protocols[0] ?? '';
    this.onopen?.({ type: 'open' });
  }

  /** Delivers one text frame: an object is JSON-encoded, a string is sent as is. */
  receive(frame: Frame | string): void {
    this.expectState(FakeWebSocket.OPEN, 'receive');
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** The server closes the connection with a close frame. */
  serverClose(code = 1000, reason = ''): void {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.({ code, reason });
  }

  /** A network or upgrade failure, the way `ws` reports it: `onerror({ message })`, then `onclose(1006)`. */
  fail(message: string): void {
    this.onerror?.({ type: 'error', message });
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.({ code: 1006, reason: '' });
  }

  private expectState(state: number, what: string): void {
    if (this.readyState !== state) throw new Error(`FakeWebSocket: ${what}() while readyState is ${this.readyState}`);
  }
}

/**
 * A constructor usable as `config.WebSocket` that records every socket it creates, in order.
 *
 * @example
 * ```ts
 * const fake = fakeWebSockets();
 * createEventsClient({ httpEndpoint, auth, WebSocket: fake.WebSocket });
 * fake.sockets[0].open();
 * ```
 */
export function fakeWebSockets(now?: () => number): { readonly WebSocket: WebSocketConstructor; readonly sockets: FakeWebSocket[] } {
  const sockets: FakeWebSocket[] = [];
  class RecordingFakeWebSocket extends FakeWebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      this.now = now;
      this.createdAt = now?.();
      sockets.push(this);
    }
  }
  return { WebSocket: RecordingFakeWebSocket, sockets };
}

/** Deterministic operation ids: `id1`, `id2`, … */
export function sequentialIds(prefix = 'id'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

export const HTTP_HOST = 'example.appsync-api.eu-west-1.amazonaws.com';
export const REALTIME_URL = 'wss://example.appsync-realtime-api.eu-west-1.amazonaws.com/event/realtime';
export const API_KEY = 'da2-marbletestmarbletestmarble';
/** The authorization object every frame carries with the harness's default auth. */
export const AUTH: Authorization = { host: HTTP_HOST, 'x-api-key': API_KEY };

/** What a recorder saw, with the virtual time of each notification. */
export type Recorded<T> = { at: number; next: T } | { at: number; error: unknown } | { at: number; complete: true };

/** A harness: the client under test, its fake sockets and a way to script the server in virtual time. */
export interface MarbleHarness {
  readonly client: EventsClient;
  readonly sockets: FakeWebSocket[];
  /** Every request the auth provider was called with, in order. */
  readonly authCalls: AuthRequest[];
  readonly scheduler: TestScheduler;
  /** The `i`-th socket the client opened (throws when there is none, naming the count). */
  socket(i: number): FakeWebSocket;
  /** Runs `step` at absolute virtual time `t` (ms since the start of `run`). */
  at(t: number, step: () => void): void;
  /** `open()` then `connection_ack` on socket `i`, both now. */
  accept(i: number, connectionTimeoutMs?: number): void;
  /** Subscribes now and records every notification with its virtual time. */
  record<T>(source: Observable<T>): Recorded<T>[];
  /** Subscribes at virtual time `t` and records every notification with its virtual time. */
  recordAt<T>(t: number, source: Observable<T>): Recorded<T>[];
}

/** Virtual time after which a run stops even if timers remain (guards against reconnect loops). */
export const HORIZON_MS = 100_000_000;

/**
 * Creates a client on a fake socket and the `TestScheduler`, with deterministic ids (`id1`, …) and
 * a recording API-key auth provider. Call inside `scheduler.run(...)`.
 */
export function createMarbleHarness(scheduler: TestScheduler, config: Partial<EventsClientConfig> = {}): MarbleHarness {
  // run() allows infinite virtual time; a client that reconnects forever would never let flush()
  // return. Stop at a horizon instead: timers left beyond it stay in `scheduler.actions`.
  scheduler.maxFrames = HORIZON_MS;
  const fake = fakeWebSockets(() => scheduler.now());
  const authCalls: AuthRequest[] = [];
  const auth: AuthProvider = (request) => {
    authCalls.push(request);
    return { host: request.host, 'x-api-key': API_KEY };
  };
  const client = createEventsClient({
    httpEndpoint: `https://${HTTP_HOST}/event`,
    auth,
    scheduler,
    WebSocket: fake.WebSocket,
    generateId: sequentialIds(),
    ...config,
  });
  const recordInto = <T>(source: Observable<T>, out: Recorded<T>[]): void => {
    source.subscribe({
      next: (next) => out.push({ at: scheduler.now(), next }),
      error: (error: unknown) => out.push({ at: scheduler.now(), error }),
      complete: () => out.push({ at: scheduler.now(), complete: true }),
    });
  };
  const h: MarbleHarness = {
    client,
    sockets: fake.sockets,
    authCalls,
    scheduler,
    socket(i) {
      const s = fake.sockets[i];
      if (!s) throw new Error(`no socket #${i}: the client opened ${fake.sockets.length}`);
      return s;
    },
    at(t, step) {
      const delay = t - scheduler.now();
      if (delay < 0) throw new Error(`at(${t}): virtual time is already ${scheduler.now()}`);
      scheduler.schedule(step, delay);
    },
    accept(i, connectionTimeoutMs = 300_000) {
      const s = h.socket(i);
      s.open();
      s.receive({ type: 'connection_ack', connectionTimeoutMs });
    },
    record<T>(source: Observable<T>) {
      const out: Recorded<T>[] = [];
      recordInto(source, out);
      return out;
    },
    recordAt<T>(t: number, source: Observable<T>) {
      const out: Recorded<T>[] = [];
      h.at(t, () => recordInto(source, out));
      return out;
    },
  };
  return h;
}

/** Expected subprotocols for an authorization object: `aws-appsync-event-ws` and `header-<base64url JSON>`. */
export function expectedSubprotocols(authorization: Authorization = AUTH): string[] {
  return ['aws-appsync-event-ws', `header-${Buffer.from(JSON.stringify(authorization), 'utf8').toString('base64url')}`];
}

/**
 * An asymmetric matcher (usable inside `toEqual` and marble value maps) for an error of class
 * `ctor` whose fields include `fields` (deep equality per field).
 *
 * @example
 * ```ts
 * expect(state).toEqual({ status: 'closed', error: anError(UnauthorizedError, { operation: 'connect' }) });
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function anError<E extends Error>(ctor: abstract new (...args: any[]) => E, fields: Partial<Record<keyof E, unknown>> = {}): E {
  const inner = expect.objectContaining(fields) as { asymmetricMatch(actual: unknown): boolean };
  const matcher = {
    $$typeof: Symbol.for('jest.asymmetricMatcher'),
    asymmetricMatch: (actual: unknown) => actual instanceof ctor && inner.asymmetricMatch(actual),
    toString: () => `${ctor.name}`,
    toAsymmetricMatcher: () => `${ctor.name} ${JSON.stringify(fields)}`,
  };
  return matcher as unknown as E;
}

/**
 * Marks a Promise as handled (it may reject inside a virtual-time run before the test awaits it)
 * and returns it unchanged, so a failed expectation elsewhere cannot turn into an unhandled
 * rejection that ends the Jest worker.
 */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
