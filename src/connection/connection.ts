import type { SchedulerLike } from 'rxjs';
import { BehaviorSubject, Subject, Subscription } from '../rx';
import { connectionSubprotocols } from '../auth/header';
import { resolveAuth } from '../auth/resolve';
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
import { decodeReceiveMessage } from '../protocol/decode';
import type { ResolvedEndpoints } from '../protocol/endpoints';
import type { Authorization, ReceiveMessage, SendMessage } from '../protocol/messages';
import { WS_OPEN, type WebSocketConstructor, type WebSocketLike } from '../transport/websocket';
import { backoffDelay, isRetryable, type ResolvedRetryOptions } from './retry';
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
  /** Increases with every socket the connection opens. */
  readonly generation: number;
  /** True while frames can be sent. */
  readonly isOpen: boolean;
  /** Sends a frame; false (nothing sent) when the socket is no longer open. */
  send(message: SendMessage): boolean;
}

/**
 * Why a session ended, and whether the connection will try again.
 *
 * @example
 * ```ts
 * connection._lost$.subscribe(({ error, willRetry }) => console.log(error.code, willRetry));
 * ```
 */
export interface SessionLoss {
  readonly session: Session;
  readonly error: AppSyncEventsError;
  readonly willRetry: boolean;
}

/**
 * Everything the connection needs; the client fills it from its config.
 *
 * @example
 * ```ts
 * const connection = new Connection({ endpoints, auth, headers: {}, WebSocket, scheduler: asyncScheduler, ackTimeoutMs: 15000, retry: false, lingerMs: 0, onMessage });
 * ```
 */
export interface ConnectionOptions {
  readonly endpoints: ResolvedEndpoints;
  readonly auth: AuthProvider;
  /** Extra fields merged into every authorization object. */
  readonly headers: Readonly<Record<string, string>>;
  readonly WebSocket: WebSocketConstructor;
  readonly scheduler: SchedulerLike;
  /** Time allowed from opening the socket to `connection_ack`. */
  readonly ackTimeoutMs: number;
  /** Overrides the ack's `connectionTimeoutMs` for the keep-alive watchdog. */
  readonly keepAliveTimeoutMs?: number;
  /** Reconnection policy, or false to treat every loss as terminal. */
  readonly retry: ResolvedRetryOptions | false;
  /** Delay before closing the socket once nothing uses it (lazy mode). */
  readonly lingerMs: number;
  /** An already-open (or opening) socket to use for the first connection. */
  readonly socket?: WebSocketLike;
  /** Receives every decoded frame that carries an operation id (the per-frame hot path). */
  readonly onMessage: (message: ReceiveMessage, session: Session) => void;
}

const IDLE: ConnectionState = { status: 'idle' };
/** The state after `close()`: compared by identity, it tells a client close from a terminal failure. */
const CLOSED: ConnectionState = { status: 'closed' };

/**
 * The connection lifecycle (ARCHITECTURE.md, `src/connection/`): opens the socket with the
 * `header-` subprotocol, sends `connection_init`, waits for `connection_ack`, runs the keep-alive
 * watchdog, retries with backoff and jitter, opens lazily and closes after a linger, and reports
 * every transition on `_state$`. It knows nothing of channels or publish: it forwards frames with
 * an id to `onMessage`. All time goes through the injected scheduler.
 *
 * The phase is the `status` of `_state$` (while `connecting`, `_session` tells whether the socket
 * exists yet). Only one of the auth request, ack timeout, keep-alive watchdog and backoff is ever
 * pending, so they share `_timer`.
 *
 * @example
 * ```ts
 * const c = new Connection(options);
 * c.whenReady((session) => session.send(frame), (error) => console.error(error));
 * ```
 */
export class Connection {
  /** Current state, replayed to late subscribers. */
  readonly _state$: BehaviorSubject<ConnectionState> = new BehaviorSubject(IDLE);
  /** Every decoded inbound frame (hot). */
  readonly _messages$ = new Subject<ReceiveMessage>();
  /** Frames that could not be decoded, and other protocol anomalies (hot). */
  readonly _protocolErrors$ = new Subject<AppSyncEventsError>();
  /** Emits each session once it is acknowledged (first connection and every reconnection). */
  readonly _ready$ = new Subject<Session>();
  /** Emits when a session ends. */
  readonly _lost$ = new Subject<SessionLoss>();
  /** Terminal failures: waiters for a connection give up. */
  private readonly _failed$ = new Subject<AppSyncEventsError>();

  /** The socket's session, from its creation until it ends (acknowledged once `connected`). */
  private _session: Session | undefined;
  /** The session's socket; before the first session, the user's own socket if they passed one. */
  private _socket: WebSocketLike | undefined = this._options.socket;
  private _generation = 0;
  /** Failed attempts in the current series. */
  private _failures = 0;
  /** Holders of `retain()`; `_pin()` is one that never lets go. */
  private _users = 0;
  private _lastActivity = 0;
  private _connectedAt = 0;
  private _keepAliveMs = 0;
  /** The pending auth request, ack timeout, keep-alive check or backoff. */
  private _timer: Subscription | undefined;
  private _linger: Subscription | undefined;

  constructor(private readonly _options: ConnectionOptions) {}

  /** The acknowledged session, if there is one right now. */
  get current(): Session | undefined {
    return this._status === 'connected' ? this._session : undefined;
  }

  /** True once `close()` was called. */
  get isClosed(): boolean {
    return this._state$.value === CLOSED;
  }

  /**
   * Calls `onReady` with an acknowledged session: at once when there is one, otherwise after
   * opening (or waiting for) the connection. `onError` gets terminal failures and
   * {@link ConnectionClosedError} after `close()`. Transient failures are retried silently (they
   * show on `state$`). The returned Subscription cancels the wait.
   */
  whenReady(onReady: (session: Session) => void, onError: (error: AppSyncEventsError) => void): Subscription {
    const session = this.current;
    if (session) onReady(session);
    else if (this.isClosed) onError(new ConnectionClosedError('client'));
    else {
      // Subjects: nothing arrives before `wait` is assigned.
      const wait = this._ready$.subscribe((ready) => {
        wait.unsubscribe();
        onReady(ready);
      });
      wait.add(
        this._failed$.subscribe((error) => {
          wait.unsubscribe();
          onError(error);
        }),
      );
      // Idle, or failed for good (`closed` with an error): a new use starts a new series.
      if (this._status === 'idle' || this._status === 'closed') this._start();
      return wait;
    }
    return Subscription.EMPTY;
  }

  /**
   * Marks the connection as in use (a subscription, an in-flight publish). The returned function
   * releases it; when nothing uses the connection it closes after `lingerMs` (unless pinned).
   */
  retain(): () => void {
    this._users++;
    this._linger = stop(this._linger);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this._users === 0 && !this.isClosed) {
        const { lingerMs, scheduler } = this._options;
        if (lingerMs > 0) this._linger = scheduler.schedule(() => this._idle(), lingerMs);
        else this._idle();
      }
    };
  }

  /** Keeps the connection open until `close()`, whatever uses it (explicit `connect()`): a use never released. */
  _pin(): void {
    this.retain();
  }

  /** Closes for good: socket, timers and subjects. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    const error = new ConnectionClosedError('client');
    this._setState(CLOSED);
    this._end('client closed', error);
    this._failed$.next(error);
    for (const s of [this._ready$, this._lost$, this._failed$, this._messages$, this._protocolErrors$, this._state$] as Subject<unknown>[]) {
      s.complete();
    }
  }

  // -------------------------------------------------------------------------------------------

  private get _status(): ConnectionState['status'] {
    return this._state$.value.status;
  }

  private _start(): void {
    this._setState({ status: 'connecting', attempt: this._failures + 1 });
    const { auth, endpoints } = this._options;
    // A synchronous answer opens the socket (or fails) before resolveAuth returns `undefined`:
    // keep the timer that set.
    this._timer =
      resolveAuth(
        auth,
        { kind: 'connect', host: endpoints.host, httpUrl: endpoints.httpUrl, body: '{}' },
        (authorization) => this._open(authorization),
        (error) => this._fail(undefined, error),
      ) ?? this._timer;
  }

  private _open(authorization: Authorization): void {
    const { headers, WebSocket, endpoints, scheduler, ackTimeoutMs } = this._options;
    const url = endpoints.realtimeUrl;
    let socket: WebSocketLike;
    try {
      socket = this._socket ??= new WebSocket(url, connectionSubprotocols({ ...headers, ...authorization }));
    } catch (e) {
      this._fail(undefined, new ConnectionError(`could not connect to ${url}`, undefined, undefined, e));
      return;
    }
    // A session is live while it is the connection's `_session`: the handlers of an older socket
    // (which may still report, e.g. the close we asked for) do nothing.
    const isOpen = (): boolean => session === this._session && socket.readyState === WS_OPEN;
    const session: Session = {
      generation: ++this._generation,
      get isOpen() {
        return isOpen();
      },
      send(message) {
        const open = isOpen();
        if (open) socket.send(JSON.stringify(message));
        return open;
      },
    };
    let detail: string | undefined;
    this._session = session;
    const init = (): unknown => session.send({ type: 'connection_init' });
    socket.onopen = init;
    socket.onmessage = (event) => this._onFrame(session, event.data);
    socket.onerror = (event) => {
      // ws reports e.g. "Unexpected server response: 401"; browsers give no detail.
      const message = (event as { message?: unknown } | null)?.message;
      if (typeof message === 'string') detail = message;
    };
    socket.onclose = ({ code, reason }) => {
      const why = detail || reason;
      const what = this._status === 'connected' ? 'lost connection' : 'could not connect';
      this._fail(session, new ConnectionError(`${what} to ${url} (code ${code}${why ? `: ${why}` : ''})`, code, reason));
    };
    this._timer = scheduler.schedule(() => this._fail(session, new TimeoutError('connect', ackTimeoutMs)), ackTimeoutMs);
    // An already-open socket (passed by the user) reports no `open`; one still connecting sends nothing.
    init();
  }

  private _onFrame(session: Session, data: unknown): void {
    if (session !== this._session) return;
    // Any frame proves the connection alive, not only `ka` (protocol reference §7.1.5).
    this._lastActivity = this._options.scheduler.now();
    const message = decodeReceiveMessage(data);
    if (message instanceof UnsupportedMessageFormatError) return this._protocolErrors$.next(message);
    if (this._messages$.observed) this._messages$.next(message);
    if (message.type === 'connection_ack') {
      this._keepAliveMs = this._options.keepAliveTimeoutMs ?? message.connectionTimeoutMs;
      if (this._status === 'connected') return; // a repeated ack only refreshes the deadline
      this._connectedAt = this._lastActivity;
      stop(this._timer);
      this._watch(session);
      this._setState({ status: 'connected', connectionTimeoutMs: this._keepAliveMs });
      this._ready$.next(session);
    } else if (message.type === 'connection_error') this._fail(session, serverError('connect', message.errors));
    // An error not tied to an operation: nothing to fail, but never swallowed.
    else if (message.type === 'error' && message.id === undefined) this._protocolErrors$.next(serverError('connect', message.errors));
    else if (message.type !== 'ka') this._options.onMessage(message, session);
  }

  /** The keep-alive watchdog: fails the session once no frame arrived for `_keepAliveMs`. */
  private _watch(session: Session): void {
    const left = this._lastActivity + this._keepAliveMs - this._options.scheduler.now();
    if (left > 0) this._timer = this._options.scheduler.schedule(() => this._watch(session), left);
    else this._fail(session, new KeepAliveTimeoutError(this._keepAliveMs));
  }

  /** A session (or an attempt before any session) ended with `error`: retry or give up. */
  private _fail(session: Session | undefined, error: AppSyncEventsError): void {
    // Also true after close(): there is no session then, and no pending attempt to fail.
    if (session !== this._session) return;
    const state = this._state$.value;
    const wasReady = state.status === 'connected';
    const retry = this._options.retry;
    this._drop('connection lost');
    if (wasReady && retry && this._options.scheduler.now() - this._connectedAt >= retry.resetAfterMs) this._failures = 0;
    this._failures++;
    // Decided before lost$: its observers fail the operations that will not be retried, and their
    // releases must not turn a terminal failure into a quiet return to idle.
    const inUse = this._users > 0;
    const transient = retry && isRetryable(error);
    const willRetry = transient && (!retry.shouldRetry || retry.shouldRetry(error)) && this._failures <= retry.maxAttempts && inUse;
    if (session) this._lost$.next({ session, error, willRetry });
    // A lost$ observer closed the client, or released the last use and the linger (0) went idle.
    if (this._state$.value !== state) return;
    if (willRetry) {
      const delayMs = backoffDelay(retry, this._failures);
      this._setState({ status: 'reconnecting', attempt: this._failures, delayMs, error });
      this._timer = this._options.scheduler.schedule(() => this._start(), delayMs);
      return;
    }
    this._failures = 0;
    // Nobody needs the connection: go back to idle; the next use opens a new one.
    if (transient && wasReady && !inUse) return this._setState(IDLE);
    this._setState({ status: 'closed', error });
    this._failed$.next(error);
  }

  /** Nothing uses the connection (after the linger): close the socket, go idle. */
  private _idle(): void {
    this._failures = 0;
    const status = this._status;
    this._end('idle', new ConnectionClosedError('client'));
    if (status !== 'idle' && status !== 'closed') this._setState(IDLE);
  }

  /** Stops every timer and ends the session, if any, with `error` (never retried). */
  private _end(reason: string, error: AppSyncEventsError): void {
    this._linger = stop(this._linger);
    const session = this._drop(reason);
    if (session) this._lost$.next({ session, error, willRetry: false });
  }

  /** Stops the pending timer and ends the session, if any, closing its socket with `reason`. */
  private _drop(reason: string): Session | undefined {
    const session = this._session;
    const socket = this._socket;
    this._timer = stop(this._timer);
    if (session) {
      this._session = this._socket = undefined;
      try {
        // Not after the socket's own close (a server close, a failed upgrade): it is gone.
        if (socket!.readyState <= WS_OPEN) socket!.close(1000, reason);
      } catch {
        // closing a socket that never opened may throw in some implementations; it is gone either way
      }
    }
    return session;
  }

  private _setState(state: ConnectionState): void {
    this._state$.next(state);
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
