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
import { SocketTransport, type WebSocketConstructor, type WebSocketLike } from '../transport/websocket';
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

type Phase = 'idle' | 'authorizing' | 'opening' | 'ready' | 'backoff' | 'failed' | 'closed';

class SocketSession implements Session {
  _transport!: SocketTransport;
  constructor(readonly generation: number) {}
  get isOpen(): boolean {
    return this._transport.isOpen;
  }
  send(message: SendMessage): boolean {
    return this._transport.send(JSON.stringify(message));
  }
}

/**
 * The connection lifecycle (ARCHITECTURE.md, `src/connection/`): opens the socket with the
 * `header-` subprotocol, sends `connection_init`, waits for `connection_ack`, runs the keep-alive
 * watchdog, retries with backoff and jitter, opens lazily and closes after a linger, and reports
 * every transition on `_state$`. It knows nothing of channels or publish: it forwards frames with
 * an id to `onMessage`. All time goes through the injected scheduler.
 *
 * @example
 * ```ts
 * const c = new Connection(options);
 * c.whenReady((session) => session.send(frame), (error) => console.error(error));
 * ```
 */
export class Connection {
  /** Current state, replayed to late subscribers. */
  readonly _state$: BehaviorSubject<ConnectionState> = new BehaviorSubject<ConnectionState>({ status: 'idle' });
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

  private _phase: Phase = 'idle';
  private _session: SocketSession | undefined;
  private _generation = 0;
  private _failures = 0;
  private _users = 0;
  private _pinned = false;
  private _lastActivity = 0;
  private _connectedAt = 0;
  private _keepAliveMs = 0;
  private _presetSocket: WebSocketLike | undefined;
  private _authSub: Subscription | undefined;
  private _ackTimer: Subscription | undefined;
  private _keepAliveTimer: Subscription | undefined;
  private _retryTimer: Subscription | undefined;
  private _lingerTimer: Subscription | undefined;

  constructor(private readonly _options: ConnectionOptions) {
    this._presetSocket = _options.socket;
  }

  /** The acknowledged session, if there is one right now. */
  get current(): Session | undefined {
    return this._phase === 'ready' ? this._session : undefined;
  }

  /** True once `close()` was called. */
  get isClosed(): boolean {
    return this._phase === 'closed';
  }

  /**
   * Calls `onReady` with an acknowledged session: at once when there is one, otherwise after
   * opening (or waiting for) the connection. `onError` gets terminal failures and
   * {@link ConnectionClosedError} after `close()`. Transient failures are retried silently (they
   * show on `state$`). The returned Subscription cancels the wait.
   */
  whenReady(onReady: (session: Session) => void, onError: (error: AppSyncEventsError) => void): Subscription {
    if (this._phase === 'closed') {
      onError(new ConnectionClosedError('client'));
      return Subscription.EMPTY;
    }
    if (this._phase === 'ready' && this._session) {
      onReady(this._session);
      return Subscription.EMPTY;
    }
    const wait = new Subscription();
    wait.add(
      this._ready$.subscribe((s) => {
        wait.unsubscribe();
        onReady(s);
      }),
    );
    wait.add(
      this._failed$.subscribe((e) => {
        wait.unsubscribe();
        onError(e);
      }),
    );
    if (this._phase === 'idle' || this._phase === 'failed') this._start();
    return wait;
  }

  /**
   * Marks the connection as in use (a subscription, an in-flight publish). The returned function
   * releases it; when nothing uses the connection it closes after `lingerMs` (unless pinned).
   */
  retain(): () => void {
    this._users++;
    this._lingerTimer = stop(this._lingerTimer);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this._users--;
      if (this._users === 0 && !this._pinned && this._phase !== 'closed') this._scheduleLinger();
    };
  }

  /** Keeps the connection open until `close()`, whatever uses it (explicit `connect()`). */
  _pin(): void {
    this._pinned = true;
    this._lingerTimer = stop(this._lingerTimer);
  }

  /** Closes for good: socket, timers and subjects. Idempotent. */
  close(): void {
    if (this._phase === 'closed') return;
    const session = this._session;
    this._phase = 'closed';
    this._session = undefined;
    this._clearTimers();
    session?._transport.close(1000, 'client closed');
    const error = new ConnectionClosedError('client');
    if (session) this._lost$.next({ session, error, willRetry: false });
    this._failed$.next(error);
    this._setState({ status: 'closed' });
    for (const s of [this._ready$, this._lost$, this._failed$, this._messages$, this._protocolErrors$, this._state$] as Subject<unknown>[]) {
      s.complete();
    }
  }

  // -------------------------------------------------------------------------------------------

  private _start(): void {
    this._phase = 'authorizing';
    this._setState({ status: 'connecting', attempt: this._failures + 1 });
    const generation = ++this._generation;
    const { endpoints } = this._options;
    const request = { kind: 'connect' as const, host: endpoints.host, httpUrl: endpoints.httpUrl, body: '{}' };
    this._authSub = resolveAuth(
      this._options.auth,
      request,
      (auth) => {
        this._authSub = undefined;
        if (this._phase === 'authorizing' && this._generation === generation) this._open(auth, generation);
      },
      (error) => {
        this._authSub = undefined;
        if (this._phase === 'authorizing' && this._generation === generation) this._fail(undefined, error);
      },
    );
  }

  private _open(auth: Authorization, generation: number): void {
    const authorization = { ...this._options.headers, ...auth };
    let socket: WebSocketLike;
    try {
      socket = this._presetSocket ?? new this._options.WebSocket(this._options.endpoints.realtimeUrl, connectionSubprotocols(authorization));
    } catch (e) {
      this._fail(undefined, new ConnectionError(`could not open a WebSocket to ${this._options.endpoints.realtimeUrl}`, undefined, undefined, e));
      return;
    }
    this._presetSocket = undefined;
    const session = new SocketSession(generation);
    this._session = session;
    this._phase = 'opening';
    session._transport = new SocketTransport(socket, {
      open: () => this._onOpen(session),
      frame: (data) => this._onFrame(session, data),
      closed: (code, reason, detail) => this._onClosed(session, code, reason, detail),
    });
    this._ackTimer = this._options.scheduler.schedule(() => {
      this._ackTimer = undefined;
      this._fail(session, new TimeoutError('connect', this._options.ackTimeoutMs));
    }, this._options.ackTimeoutMs);
    if (session._transport.isOpen) this._onOpen(session);
  }

  private _onOpen(session: SocketSession): void {
    if (session !== this._session) return;
    session.send({ type: 'connection_init' });
  }

  private _onFrame(session: SocketSession, data: unknown): void {
    if (session !== this._session) return;
    // Any frame proves the connection alive, not only `ka` (protocol reference §7.1.5).
    this._lastActivity = this._options.scheduler.now();
    const message = decodeReceiveMessage(data);
    if (message instanceof UnsupportedMessageFormatError) {
      this._protocolErrors$.next(message);
      return;
    }
    if (this._messages$.observed) this._messages$.next(message);
    switch (message.type) {
      case 'data':
        this._options.onMessage(message, session);
        return;
      case 'ka':
        return;
      case 'connection_ack':
        this._onAck(session, message.connectionTimeoutMs);
        return;
      case 'connection_error':
        this._fail(session, serverError('connect', message.errors));
        return;
      case 'error':
        if (message.id === undefined) {
          // Not tied to an operation: nothing to fail, but never swallowed.
          this._protocolErrors$.next(serverError('connect', message.errors));
          return;
        }
        this._options.onMessage(message, session);
        return;
      default:
        this._options.onMessage(message, session);
    }
  }

  private _onAck(session: SocketSession, connectionTimeoutMs: number): void {
    this._keepAliveMs = this._options.keepAliveTimeoutMs ?? connectionTimeoutMs;
    if (this._phase === 'ready') return; // a repeated ack only refreshes the deadline
    this._ackTimer = stop(this._ackTimer);
    this._phase = 'ready';
    this._connectedAt = this._options.scheduler.now();
    this._armKeepAlive(session, this._keepAliveMs);
    this._setState({ status: 'connected', connectionTimeoutMs: this._keepAliveMs });
    this._ready$.next(session);
  }

  private _armKeepAlive(session: SocketSession, delay: number): void {
    this._keepAliveTimer = this._options.scheduler.schedule(() => {
      this._keepAliveTimer = undefined;
      if (session !== this._session) return;
      const idle = this._options.scheduler.now() - this._lastActivity;
      if (idle >= this._keepAliveMs) this._fail(session, new KeepAliveTimeoutError(this._keepAliveMs));
      else this._armKeepAlive(session, this._keepAliveMs - idle);
    }, delay);
  }

  private _onClosed(session: SocketSession, code: number, reason: string, detail: string | undefined): void {
    if (session !== this._session) return;
    const where = this._options.endpoints.realtimeUrl;
    const error =
      this._phase === 'ready'
        ? new ConnectionError(`connection to ${where} closed (code ${code}${reason ? `: ${reason}` : ''})`, code, reason)
        : new ConnectionError(`could not connect to ${where}${detail ? `: ${detail}` : ''} (code ${code})`, code, reason);
    this._fail(session, error);
  }

  /** A session (or an attempt before any session) ended with `error`: retry or give up. */
  private _fail(session: SocketSession | undefined, error: AppSyncEventsError): void {
    if (this._phase === 'closed' || session !== this._session) return;
    const wasReady = this._phase === 'ready';
    this._ackTimer = stop(this._ackTimer);
    this._keepAliveTimer = stop(this._keepAliveTimer);
    this._session = undefined;
    session?._transport.close(1000, 'connection lost');
    const retry = this._options.retry;
    if (wasReady && retry && this._options.scheduler.now() - this._connectedAt >= retry.resetAfterMs) this._failures = 0;
    this._failures++;
    // Decided before lost$: its observers fail the operations that will not be retried, and their
    // releases must not turn a terminal failure into a quiet return to idle.
    const inUse = this._users > 0 || this._pinned;
    const willRetry =
      retry !== false &&
      isRetryable(error) &&
      (retry.shouldRetry ? retry.shouldRetry(error) : true) &&
      this._failures <= retry.maxAttempts &&
      inUse;
    if (session) this._lost$.next({ session, error, willRetry });
    if ((this._phase as Phase) === 'closed') return; // a lost$ observer closed the client
    // A lost$ observer released the last use and the linger (0) already closed: nobody needs a retry.
    if ((this._phase as Phase) === 'idle') return;
    if (willRetry && retry) {
      const delayMs = backoffDelay(retry, this._failures);
      this._phase = 'backoff';
      this._setState({ status: 'reconnecting', attempt: this._failures, delayMs, error });
      this._retryTimer = this._options.scheduler.schedule(() => {
        this._retryTimer = undefined;
        this._start();
      }, delayMs);
      return;
    }
    const transient = retry !== false && isRetryable(error) && !inUse;
    this._failures = 0;
    if (transient && wasReady) {
      // Nobody needs the connection: go back to idle; the next use opens a new one.
      this._phase = 'idle';
      this._setState({ status: 'idle' });
      return;
    }
    this._phase = 'failed';
    this._setState({ status: 'closed', error });
    this._failed$.next(error);
  }

  private _scheduleLinger(): void {
    this._lingerTimer = stop(this._lingerTimer);
    const close = (): void => {
      this._lingerTimer = undefined;
      if (this._users > 0 || this._pinned || this._phase === 'closed') return;
      const session = this._session;
      this._clearTimers();
      this._session = undefined;
      const was = this._phase;
      this._phase = 'idle';
      this._failures = 0;
      session?._transport.close(1000, 'idle');
      if (session) this._lost$.next({ session, error: new ConnectionClosedError('client'), willRetry: false });
      if (was !== 'idle' && was !== 'failed') this._setState({ status: 'idle' });
    };
    if (this._options.lingerMs <= 0) close();
    else this._lingerTimer = this._options.scheduler.schedule(close, this._options.lingerMs);
  }

  private _clearTimers(): void {
    this._authSub = stop(this._authSub);
    this._ackTimer = stop(this._ackTimer);
    this._keepAliveTimer = stop(this._keepAliveTimer);
    this._retryTimer = stop(this._retryTimer);
    this._lingerTimer = stop(this._lingerTimer);
  }

  private _setState(state: ConnectionState): void {
    if (!this._state$.closed) this._state$.next(state);
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
