import type { SchedulerLike, Subscription } from 'rxjs';
import { BehaviorSubject, Subject } from '../rx';
import { connectionSubprotocols } from '../auth/header';
import { resolveConnectAuth } from '../auth/resolve';
import type { AuthProvider } from '../auth/types';
import {
  AppSyncEventsError,
  ConnectionClosedError,
  ConnectionError,
  KeepAliveTimeoutError,
  TimeoutError,
  UnsupportedMessageFormatError,
  serverError,
} from '../errors';
import type { ResolvedEndpoints } from '../protocol/endpoints';
import type { Authorization, ReceiveMessage, SendMessage } from '../protocol/messages';
import { openTransport, type SocketClose, type Transport, type WebSocketConstructor, type WebSocketLike } from '../transport/websocket';
import { MAX_TIMER_MS, backoffDelay, isRetryable, retries, type ResolvedRetryOptions } from './retry';
import type { ConnectionState } from './state';

/**
 * One acknowledged WebSocket. Operations remember the session that carried them, so that an
 * `unsubscribe` only ever goes to the socket that holds the subscription.
 *
 * @example
 * ```ts
 * if (session.isOpen) session.send({ type: 'unsubscribe', id });
 * ```
 */
export interface Session {
  /** True while frames can be sent. */
  readonly isOpen: boolean;
  /** Sends a frame; false (nothing sent) when the socket is no longer open. */
  send(message: SendMessage): boolean;
}

/**
 * Everything the connection needs; the client fills it from its config.
 *
 * @example
 * ```ts
 * const connection = new Connection({ endpoints, auth, headers: {}, WebSocket, scheduler: asyncScheduler, connectTimeoutMs: 15000, retry: false, lingerMs: 0, router });
 * ```
 */
export interface ConnectionOptions {
  readonly endpoints: ResolvedEndpoints;
  readonly auth: AuthProvider;
  /** Extra fields merged into every authorization object. */
  readonly headers: Readonly<Record<string, string>>;
  /** @default isomorphic-ws */
  readonly WebSocket?: WebSocketConstructor;
  readonly scheduler: SchedulerLike;
  /** Time allowed from opening the socket to `connection_ack`. */
  readonly connectTimeoutMs: number;
  /** Overrides the ack's `connectionTimeoutMs` for the keep-alive watchdog. */
  readonly keepAliveTimeoutMs?: number;
  /** Reconnection policy, or false to treat every loss as terminal. */
  readonly retry: ResolvedRetryOptions | false;
  /** Delay before closing the socket once nothing uses it (lazy mode). */
  readonly lingerMs: number;
  /** An already-open (or opening) socket to use for the first connection. */
  readonly socket?: WebSocketLike;
  /**
   * Where operation frames and session losses go (the client's `Router`): every decoded frame that
   * carries an operation id (the per-frame hot path), and each acknowledged session that ended,
   * with its error and whether the connection will try again.
   */
  readonly router: {
    _dispatch(message: ReceiveMessage, session: Session): void;
    _sessionLost(session: Session, error: AppSyncEventsError, willRetry: boolean): void;
  };
}

const IDLE: ConnectionState = { status: 'idle' };
/** The state after `close()`: compared by identity, it tells a client close from a terminal failure. */
const CLOSED: ConnectionState = { status: 'closed' };

/**
 * The connection lifecycle (ARCHITECTURE.md, `src/connection/`): opens the socket with the
 * `header-` subprotocol, sends `connection_init`, waits for `connection_ack`, runs the keep-alive
 * watchdog, retries with backoff and jitter, opens lazily and closes after a linger, and reports
 * every transition on `_state$`. It knows nothing of channels or publish: it forwards frames with
 * an id to the router. All time goes through the injected scheduler.
 *
 * The phase is the `status` of `_state$`, with `_socket` (set from opening until the socket ends)
 * and `_session` (set from the ack until then). Only one of the auth request, ack timeout,
 * keep-alive watchdog and backoff is ever pending, so they share `_timer`.
 *
 * @example
 * ```ts
 * const c = new Connection(options);
 * c._whenReady((session) => session.send(frame), (error) => console.error(error));
 * ```
 */
export class Connection {
  /** Current state, replayed to late subscribers. */
  readonly _state$: BehaviorSubject<ConnectionState> = new BehaviorSubject(IDLE);
  /** Every decoded inbound frame (hot). */
  readonly _messages$ = new Subject<ReceiveMessage>();
  /** Frames that could not be decoded, and other protocol anomalies (hot). */
  readonly _protocolErrors$ = new Subject<AppSyncEventsError>();
  /**
   * What waiters for a connection get: each session once it is acknowledged (first connection and
   * every reconnection), or a terminal failure (they give up).
   */
  readonly _settled$ = new Subject<Session | AppSyncEventsError>();

  /** The live socket. Its frames, and timers armed for it, do nothing once it is replaced. */
  private _socket: Transport | undefined;
  /** The user's own socket, for the first connection. */
  private _preset: WebSocketLike | undefined;
  /** `_socket` once it is acknowledged: the session operations use. */
  private _session: Session | undefined;
  /** Failed attempts in the current series. */
  private _failures = 0;
  /** Holders of `_retain()`. */
  private _users = 0;
  /** The `connect()` calls among them that are still waiting (they give up on a failure rather than have it retried). */
  private _connectWaiters = 0;
  /** True while `_fail` has the router fail or keep the operations of a lost session. */
  private _losing: boolean | undefined;
  private _lastActivity!: number;
  private _connectedAt!: number;
  private _keepAliveMs!: number;
  /** The pending auth request, ack timeout, keep-alive check or backoff. */
  private _timer: Subscription | undefined;
  private _linger: Subscription | undefined;
  private readonly _scheduler: SchedulerLike;

  // Assigned in the constructor, not as field initialisers reading `_options`: with ES2022 class
  // fields (the declaration build's setting) those would run before the parameter property is set.
  constructor(private readonly _options: ConnectionOptions) {
    this._preset = _options.socket;
    this._scheduler = _options.scheduler;
  }

  /**
   * The acknowledged session, if there is one right now that can send. Not while the server closes
   * it (its close frame arrived, the close event not yet): a request sent then would be lost
   * unsent, and reported as an unknown outcome; it waits for the next session instead.
   */
  get _current(): Session | undefined {
    const session = this._session;
    return session?.isOpen ? session : undefined;
  }

  /** True once `_close()` was called. */
  get _isClosed(): boolean {
    return this._state$.value === CLOSED;
  }

  /**
   * Calls `onReady` with an acknowledged session: at once when there is one, otherwise after
   * opening (or waiting for) the connection. `onError` gets terminal failures and
   * {@link ConnectionClosedError} after `close()`. Transient failures are retried silently (they
   * show on `state$`) unless `failFast`, which gives up on the first failed attempt. The returned
   * Subscription cancels the wait (`undefined`: there is nothing to wait for, a callback was called).
   */
  _whenReady(onReady: (session: Session) => void, onError: (error: AppSyncEventsError) => void, failFast?: boolean): Subscription | undefined {
    const session = this._current;
    if (this._isClosed) onError(new ConnectionClosedError('client'));
    else if (session) onReady(session);
    else {
      // A Subject: nothing arrives before `wait` is assigned.
      const wait = this._settled$.subscribe((outcome) => {
        if (!AppSyncEventsError.is(outcome)) onReady(outcome);
        // Given up only while the connection is `closed`: a failure followed by a retry is reported
        // as the `reconnecting` state, and one that an earlier waiter's error handler answered with
        // a new attempt (`connecting`) is waited for instead.
        else if (failFast || this._state$.value.status === 'closed') onError(outcome);
        else return;
        wait.unsubscribe();
      });
      this._wake();
      return wait;
    }
    return undefined;
  }

  /**
   * The client's `connect()`: opens the connection now and resolves at `connection_ack`; rejects on
   * the first failed attempt, like the seed's `DialWebSocketConfig` (background retries only start
   * once the connection has been established). Once resolved, the connection stays in use until
   * `close()`.
   */
  _connect(): Promise<Extract<ConnectionState, { status: 'connected' }>> {
    return new Promise((resolve, reject) => {
      // In use while it waits, so that a lazy close cannot strand it (the last operation leaving
      // while it connects), and kept once resolved. A failure is still its own: see `_fail`.
      const release = this._retain();
      this._connectWaiters++;
      this._whenReady(
        () => {
          this._connectWaiters--;
          // An acknowledged session exists only in the `connected` state.
          resolve(this._state$.value as Extract<ConnectionState, { status: 'connected' }>);
        },
        (error) => {
          this._connectWaiters--;
          release();
          reject(error);
        },
        true,
      );
    });
  }

  /**
   * Marks the connection as in use (a subscription, an in-flight publish, an explicit `connect()`).
   * The returned function releases it (call it once); when nothing uses the connection it closes
   * after `lingerMs`.
   */
  _retain(): () => void {
    this._users++;
    this._linger = stop(this._linger);
    return () => {
      if (--this._users === 0 && !this._isClosed) {
        const lingerMs = this._options.lingerMs;
        if (lingerMs > 0) this._linger = this._scheduler.schedule(() => this._idle(), lingerMs);
        // While a loss fails the operations, `_fail` decides what follows (a terminal failure must
        // end `closed` with its error, not idle).
        else if (!this._losing) this._idle();
      }
    };
  }

  /** Closes for good: socket, timers and subjects. Idempotent. */
  _close(): void {
    if (this._isClosed) return;
    this._setState(CLOSED);
    this._idle('client closed');
    this._settled$.next(new ConnectionClosedError('client'));
    for (const s of [this._settled$, this._messages$, this._protocolErrors$, this._state$] as Subject<unknown>[]) {
      s.complete();
    }
  }

  // -------------------------------------------------------------------------------------------

  /** Idle, or failed for good (`closed` with an error): a new use starts a new series. */
  private get _resting(): boolean {
    const status = this._state$.value.status;
    return status === 'idle' || status === 'closed';
  }

  /**
   * A use that waits for the connection: opens one if none is on its way. Also for a subscriber
   * joining a channel subscription that waits, from an observer of the terminal `closed` state:
   * the waiters then wait for this attempt instead of getting the failure.
   */
  _wake(): void {
    if (this._resting) this._start();
  }

  private _start(): void {
    const connecting: ConnectionState = { status: 'connecting', attempt: this._failures + 1 };
    this._setState(connecting);
    // An observer of the state closed the client, or let go of the last use (lazy close).
    if (this._state$.value !== connecting) return;
    const { auth, endpoints, headers } = this._options;
    // A synchronous answer opens the socket (or fails) before resolveConnectAuth returns `undefined`:
    // keep the timer that set.
    this._timer =
      resolveConnectAuth(
        auth,
        endpoints,
        headers,
        (authorization) => this._open(authorization),
        (error) => this._fail(undefined, error),
      ) ?? this._timer;
  }

  private _open(authorization: Authorization): void {
    const { WebSocket, connectTimeoutMs } = this._options;
    const url = this._options.endpoints.realtimeUrl;
    let socket: Transport;
    try {
      socket = openTransport(url, connectionSubprotocols(authorization), { type: 'connection_init' }, WebSocket || undefined, this._preset);
    } catch (e) {
      return this._fail(undefined, new ConnectionError(`could not connect to ${url}`, undefined, undefined, e));
    }
    this._preset = undefined;
    this._socket = socket;
    this._timer = this._scheduler.schedule(() => this._fail(socket, new TimeoutError('connect', connectTimeoutMs)), connectTimeoutMs);
    socket.frames$.subscribe({
      next: (frame) => this._onFrame(socket, frame),
      error: ({ code, reason, detail }: SocketClose) =>
        this._fail(socket, new ConnectionError(`${this._session ? 'lost connection' : 'could not connect'} to ${url} (code ${code}${detail ? `: ${detail}` : ''})`, code, reason)),
    });
  }

  private _onFrame(socket: Transport, message: ReceiveMessage | UnsupportedMessageFormatError): void {
    if (socket !== this._socket) return;
    // Any frame proves the connection alive, not only `ka` (protocol reference §7.1.5).
    this._lastActivity = this._scheduler.now();
    if (message instanceof UnsupportedMessageFormatError) return this._protocolErrors$.next(message);
    if (this._messages$.observed) {
      this._messages$.next(message);
      // An observer closed the client (or the socket ended) meanwhile.
      if (socket !== this._socket) return;
    }
    const session = this._session;
    const { type } = message;
    if (type === 'connection_ack') {
      this._keepAliveMs = this._options.keepAliveTimeoutMs ?? message.connectionTimeoutMs;
      // A repeated ack only refreshes the deadline, a shorter one at once.
      if (session) {
        stop(this._timer);
        return this._watch();
      }
      this._session = socket;
      this._connectedAt = this._lastActivity;
      stop(this._timer);
      this._watch();
      this._setState({ status: 'connected', connectionTimeoutMs: this._keepAliveMs });
      this._settled$.next(socket);
    } else if (type === 'connection_error') this._fail(socket, serverError('connect', message.errors));
    // An error not tied to an operation: nothing to fail, but never swallowed.
    else if (type === 'error' && message.id === undefined) this._protocolErrors$.next(serverError('connect', message.errors));
    // Before the ack no operation can be waiting for a frame.
    else if (session && type !== 'ka') this._options.router._dispatch(message, session);
  }

  /** The keep-alive watchdog: fails the socket once no frame arrived for `_keepAliveMs`. */
  private _watch(): void {
    const left = this._lastActivity + this._keepAliveMs - this._scheduler.now();
    // Checked again when it fires, so a timeout longer than a timer can hold is waited in steps.
    if (left > 0) this._timer = this._scheduler.schedule(() => this._watch(), Math.min(left, MAX_TIMER_MS));
    else this._fail(this._socket, new KeepAliveTimeoutError(this._keepAliveMs));
  }

  /** The socket (or an attempt before there was one) ended with `error`: retry or give up. */
  private _fail(socket: Transport | undefined, error: AppSyncEventsError): void {
    // Also true after close(): there is no socket then, and no pending attempt to fail.
    if (socket !== this._socket) return;
    const state = this._state$.value;
    const retry = this._options.retry;
    const session = this._session;
    if (session && retry && this._scheduler.now() - this._connectedAt >= retry.resetAfterMs) this._failures = 0;
    this._failures++;
    // Decided before the router fails the operations that will not be retried: their releases must
    // not turn a terminal failure into a quiet return to idle.
    // A waiting `connect()` fails fast: it alone is no reason to retry.
    const inUse = this._users > this._connectWaiters;
    const transient = retry && isRetryable(error);
    const willRetry = retries(retry, error, this._failures) && inUse;
    this._end('connection lost');
    this._losing = true;
    if (session) this._options.router._sessionLost(session, error, willRetry);
    this._losing = false;
    // An operation's error handler closed the client.
    if (this._state$.value !== state) return;
    // The operations failed by the loss were the last uses, and there is no linger to wait for.
    const unused = !this._users && this._options.lingerMs <= 0;
    if (willRetry && !unused) {
      const delayMs = backoffDelay(retry, this._failures);
      const reconnecting: ConnectionState = { status: 'reconnecting', attempt: this._failures, delayMs, error };
      this._setState(reconnecting);
      // An observer of the state closed the client, or let go of the last use: no new attempt.
      if (this._state$.value !== reconnecting) return;
      this._timer = this._scheduler.schedule(() => this._start(), delayMs);
    } else {
      this._failures = 0;
      // Nobody needs the connection (any more) and the failure was not terminal: back to idle; the
      // next use opens a new connection. A `connect()` that waited while the server closed the
      // socket (it alone used it) is that next use: a new connection is opened for it.
      if (transient && session && (!inUse || willRetry)) {
        this._setState(IDLE);
        if (this._connectWaiters && this._resting) this._start();
        return;
      }
      const closed: ConnectionState = { status: 'closed', error };
      this._setState(closed);
      // An observer of `closed` started a new attempt: the waiters wait for that one instead of
      // getting this error.
      if (this._state$.value !== closed) return;
    }
    // Waiters give up; while `reconnecting`, only a fail-fast one (`connect()`) — not for a lost
    // session that is being replaced (one that waited while it was closing): no attempt failed.
    if (!(session && willRetry)) this._settled$.next(error);
  }

  /** Nothing uses the connection (after the linger), or `close()`: close the socket, stop every timer. */
  private _idle(reason = 'idle'): void {
    const resting = this._resting;
    this._failures = 0;
    this._linger = stop(this._linger);
    const session = this._end(reason);
    // Idle first: an operation's error handler that starts a new operation then opens a new connection.
    if (!resting) this._setState(IDLE);
    if (session) this._options.router._sessionLost(session, new ConnectionClosedError('client'), false);
  }

  /** Stops the pending timer and closes the socket, if any, with `reason`; returns its session. */
  private _end(reason: string): Session | undefined {
    const { _socket: socket, _session: session } = this;
    this._timer = stop(this._timer);
    this._socket = this._session = undefined;
    socket?.close(reason);
    return session;
  }

  /** Reports a transition; nothing after `close()` (a completed BehaviorSubject would still take the value). */
  private _setState(state: ConnectionState): void {
    if (!this._isClosed) this._state$.next(state);
  }
}

/**
 * Cancels a pending timer, wait or auth request; returns `undefined` to clear the field that held it.
 *
 * @example
 * ```ts
 * this._timer = stop(this._timer);
 * ```
 */
export function stop(s: Subscription | undefined): undefined {
  s?.unsubscribe();
  return undefined;
}
