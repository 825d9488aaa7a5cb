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
 * connection.lost$.subscribe(({ error, willRetry }) => console.log(error.code, willRetry));
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
  transport!: SocketTransport;
  constructor(readonly generation: number) {}
  get isOpen(): boolean {
    return this.transport.isOpen;
  }
  send(message: SendMessage): boolean {
    return this.transport.send(JSON.stringify(message));
  }
}

/**
 * The connection lifecycle (ARCHITECTURE.md, `src/connection/`): opens the socket with the
 * `header-` subprotocol, sends `connection_init`, waits for `connection_ack`, runs the keep-alive
 * watchdog, retries with backoff and jitter, opens lazily and closes after a linger, and reports
 * every transition on `state$`. It knows nothing of channels or publish: it forwards frames with
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
  readonly state$: BehaviorSubject<ConnectionState> = new BehaviorSubject<ConnectionState>({ status: 'idle' });
  /** Every decoded inbound frame (hot). */
  readonly messages$ = new Subject<ReceiveMessage>();
  /** Frames that could not be decoded, and other protocol anomalies (hot). */
  readonly protocolErrors$ = new Subject<AppSyncEventsError>();
  /** Emits each session once it is acknowledged (first connection and every reconnection). */
  readonly ready$ = new Subject<Session>();
  /** Emits when a session ends. */
  readonly lost$ = new Subject<SessionLoss>();
  /** Terminal failures: waiters for a connection give up. */
  private readonly failed$ = new Subject<AppSyncEventsError>();

  private phase: Phase = 'idle';
  private session: SocketSession | undefined;
  private generation = 0;
  private failures = 0;
  private users = 0;
  private pinned = false;
  private lastActivity = 0;
  private connectedAt = 0;
  private keepAliveMs = 0;
  private presetSocket: WebSocketLike | undefined;
  private authSub: Subscription | undefined;
  private ackTimer: Subscription | undefined;
  private keepAliveTimer: Subscription | undefined;
  private retryTimer: Subscription | undefined;
  private lingerTimer: Subscription | undefined;

  constructor(private readonly options: ConnectionOptions) {
    this.presetSocket = options.socket;
  }

  /** The acknowledged session, if there is one right now. */
  get current(): Session | undefined {
    return this.phase === 'ready' ? this.session : undefined;
  }

  /** True once `close()` was called. */
  get isClosed(): boolean {
    return this.phase === 'closed';
  }

  /**
   * Calls `onReady` with an acknowledged session: at once when there is one, otherwise after
   * opening (or waiting for) the connection. `onError` gets terminal failures and
   * {@link ConnectionClosedError} after `close()`. Transient failures are retried silently (they
   * show on `state$`). The returned Subscription cancels the wait.
   */
  whenReady(onReady: (session: Session) => void, onError: (error: AppSyncEventsError) => void): Subscription {
    if (this.phase === 'closed') {
      onError(new ConnectionClosedError('client'));
      return Subscription.EMPTY;
    }
    if (this.phase === 'ready' && this.session) {
      onReady(this.session);
      return Subscription.EMPTY;
    }
    const wait = new Subscription();
    wait.add(
      this.ready$.subscribe((s) => {
        wait.unsubscribe();
        onReady(s);
      }),
    );
    wait.add(
      this.failed$.subscribe((e) => {
        wait.unsubscribe();
        onError(e);
      }),
    );
    if (this.phase === 'idle' || this.phase === 'failed') this.start();
    return wait;
  }

  /**
   * Marks the connection as in use (a subscription, an in-flight publish). The returned function
   * releases it; when nothing uses the connection it closes after `lingerMs` (unless pinned).
   */
  retain(): () => void {
    this.users++;
    this.cancel('lingerTimer');
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.users--;
      if (this.users === 0 && !this.pinned && this.phase !== 'closed') this.scheduleLinger();
    };
  }

  /** Keeps the connection open until `close()`, whatever uses it (explicit `connect()`). */
  pin(): void {
    this.pinned = true;
    this.cancel('lingerTimer');
  }

  /** Closes for good: socket, timers and subjects. Idempotent. */
  close(): void {
    if (this.phase === 'closed') return;
    const session = this.session;
    this.phase = 'closed';
    this.session = undefined;
    this.clearTimers();
    session?.transport.close(1000, 'client closed');
    const error = new ConnectionClosedError('client');
    if (session) this.lost$.next({ session, error, willRetry: false });
    this.failed$.next(error);
    this.setState({ status: 'closed' });
    for (const s of [this.ready$, this.lost$, this.failed$, this.messages$, this.protocolErrors$, this.state$] as Subject<unknown>[]) {
      s.complete();
    }
  }

  // -------------------------------------------------------------------------------------------

  private start(): void {
    this.phase = 'authorizing';
    this.setState({ status: 'connecting', attempt: this.failures + 1 });
    const generation = ++this.generation;
    const { endpoints } = this.options;
    const request = { kind: 'connect' as const, host: endpoints.host, httpUrl: endpoints.httpUrl, body: '{}' };
    this.authSub = resolveAuth(
      this.options.auth,
      request,
      (auth) => {
        this.authSub = undefined;
        if (this.phase === 'authorizing' && this.generation === generation) this.open(auth, generation);
      },
      (error) => {
        this.authSub = undefined;
        if (this.phase === 'authorizing' && this.generation === generation) this.fail(undefined, error);
      },
    );
  }

  private open(auth: Authorization, generation: number): void {
    const authorization = { ...this.options.headers, ...auth };
    let socket: WebSocketLike;
    try {
      socket = this.presetSocket ?? new this.options.WebSocket(this.options.endpoints.realtimeUrl, connectionSubprotocols(authorization));
    } catch (e) {
      this.fail(undefined, new ConnectionError(`could not open a WebSocket to ${this.options.endpoints.realtimeUrl}`, undefined, undefined, e));
      return;
    }
    this.presetSocket = undefined;
    const session = new SocketSession(generation);
    this.session = session;
    this.phase = 'opening';
    session.transport = new SocketTransport(socket, {
      open: () => this.onOpen(session),
      frame: (data) => this.onFrame(session, data),
      closed: (code, reason, detail) => this.onClosed(session, code, reason, detail),
    });
    this.ackTimer = this.options.scheduler.schedule(() => {
      this.ackTimer = undefined;
      this.fail(session, new TimeoutError('connect', this.options.ackTimeoutMs));
    }, this.options.ackTimeoutMs);
    if (session.transport.isOpen) this.onOpen(session);
  }

  private onOpen(session: SocketSession): void {
    if (session !== this.session) return;
    session.send({ type: 'connection_init' });
  }

  private onFrame(session: SocketSession, data: unknown): void {
    if (session !== this.session) return;
    // Any frame proves the connection alive, not only `ka` (protocol reference §7.1.5).
    this.lastActivity = this.options.scheduler.now();
    const message = decodeReceiveMessage(data);
    if (message instanceof UnsupportedMessageFormatError) {
      this.protocolErrors$.next(message);
      return;
    }
    if (this.messages$.observed) this.messages$.next(message);
    switch (message.type) {
      case 'data':
        this.options.onMessage(message, session);
        return;
      case 'ka':
        return;
      case 'connection_ack':
        this.onAck(session, message.connectionTimeoutMs);
        return;
      case 'connection_error':
        this.fail(session, serverError('connect', message.errors));
        return;
      case 'error':
        if (message.id === undefined) {
          // Not tied to an operation: nothing to fail, but never swallowed.
          this.protocolErrors$.next(serverError('connect', message.errors));
          return;
        }
        this.options.onMessage(message, session);
        return;
      default:
        this.options.onMessage(message, session);
    }
  }

  private onAck(session: SocketSession, connectionTimeoutMs: number): void {
    this.keepAliveMs = this.options.keepAliveTimeoutMs ?? connectionTimeoutMs;
    if (this.phase === 'ready') return; // a repeated ack only refreshes the deadline
    this.cancel('ackTimer');
    this.phase = 'ready';
    this.connectedAt = this.options.scheduler.now();
    this.armKeepAlive(session, this.keepAliveMs);
    this.setState({ status: 'connected', connectionTimeoutMs: this.keepAliveMs });
    this.ready$.next(session);
  }

  private armKeepAlive(session: SocketSession, delay: number): void {
    this.keepAliveTimer = this.options.scheduler.schedule(() => {
      this.keepAliveTimer = undefined;
      if (session !== this.session) return;
      const idle = this.options.scheduler.now() - this.lastActivity;
      if (idle >= this.keepAliveMs) this.fail(session, new KeepAliveTimeoutError(this.keepAliveMs));
      else this.armKeepAlive(session, this.keepAliveMs - idle);
    }, delay);
  }

  private onClosed(session: SocketSession, code: number, reason: string, detail: string | undefined): void {
    if (session !== this.session) return;
    const where = this.options.endpoints.realtimeUrl;
    const error =
      this.phase === 'ready'
        ? new ConnectionError(`connection to ${where} closed (code ${code}${reason ? `: ${reason}` : ''})`, code, reason)
        : new ConnectionError(`could not connect to ${where}${detail ? `: ${detail}` : ''} (code ${code})`, code, reason);
    this.fail(session, error);
  }

  /** A session (or an attempt before any session) ended with `error`: retry or give up. */
  private fail(session: SocketSession | undefined, error: AppSyncEventsError): void {
    if (this.phase === 'closed' || session !== this.session) return;
    const wasReady = this.phase === 'ready';
    this.cancel('ackTimer');
    this.cancel('keepAliveTimer');
    this.session = undefined;
    session?.transport.close(1000, 'connection lost');
    const retry = this.options.retry;
    if (wasReady && retry && this.options.scheduler.now() - this.connectedAt >= retry.resetAfterMs) this.failures = 0;
    this.failures++;
    // Decided before lost$: its observers fail the operations that will not be retried, and their
    // releases must not turn a terminal failure into a quiet return to idle.
    const inUse = this.users > 0 || this.pinned;
    const willRetry =
      retry !== false &&
      isRetryable(error) &&
      (retry.shouldRetry ? retry.shouldRetry(error) : true) &&
      this.failures <= retry.maxAttempts &&
      inUse;
    if (session) this.lost$.next({ session, error, willRetry });
    if ((this.phase as Phase) === 'closed') return; // a lost$ observer closed the client
    // A lost$ observer released the last use and the linger (0) already closed: nobody needs a retry.
    if ((this.phase as Phase) === 'idle') return;
    if (willRetry && retry) {
      const delayMs = backoffDelay(retry, this.failures);
      this.phase = 'backoff';
      this.setState({ status: 'reconnecting', attempt: this.failures, delayMs, error });
      this.retryTimer = this.options.scheduler.schedule(() => {
        this.retryTimer = undefined;
        this.start();
      }, delayMs);
      return;
    }
    const transient = retry !== false && isRetryable(error) && !inUse;
    this.failures = 0;
    if (transient && wasReady) {
      // Nobody needs the connection: go back to idle; the next use opens a new one.
      this.phase = 'idle';
      this.setState({ status: 'idle' });
      return;
    }
    this.phase = 'failed';
    this.setState({ status: 'closed', error });
    this.failed$.next(error);
  }

  private scheduleLinger(): void {
    this.cancel('lingerTimer');
    const close = (): void => {
      this.lingerTimer = undefined;
      if (this.users > 0 || this.pinned || this.phase === 'closed') return;
      const session = this.session;
      this.clearTimers();
      this.session = undefined;
      const was = this.phase;
      this.phase = 'idle';
      this.failures = 0;
      session?.transport.close(1000, 'idle');
      if (session) this.lost$.next({ session, error: new ConnectionClosedError('client'), willRetry: false });
      if (was !== 'idle' && was !== 'failed') this.setState({ status: 'idle' });
    };
    if (this.options.lingerMs <= 0) close();
    else this.lingerTimer = this.options.scheduler.schedule(close, this.options.lingerMs);
  }

  private clearTimers(): void {
    this.cancel('authSub');
    this.cancel('ackTimer');
    this.cancel('keepAliveTimer');
    this.cancel('retryTimer');
    this.cancel('lingerTimer');
  }

  private cancel(key: 'authSub' | 'ackTimer' | 'keepAliveTimer' | 'retryTimer' | 'lingerTimer'): void {
    const s = this[key];
    if (s) {
      this[key] = undefined;
      s.unsubscribe();
    }
  }

  private setState(state: ConnectionState): void {
    if (!this.state$.closed) this.state$.next(state);
  }
}
