import type { SchedulerLike, Subject, Subscription } from 'rxjs';
import { hostOnlyAuthorization } from '../auth/api-key';
import { webSocketSignedBody } from '../auth/header';
import { resolveAuth } from '../auth/resolve';
import type { AuthProvider } from '../auth/types';
import type { Connection, Session } from '../connection/connection';
import { AppSyncEventsError, ConnectionClosedError, IdExistsError, UnauthorizedError, ValidationError, serverError } from '../errors';
import type { ResolvedEndpoints } from '../protocol/endpoints';
import type { Authorization, MessageError, ReceiveMessage, SendMessage } from '../protocol/messages';
import { checkOperationId } from '../protocol/validate';
import { timeoutOption, type ResolvedRetryOptions } from '../connection/retry';
import { Deadlines, type TimeoutHandler } from './deadlines';
import type { EventBatch } from './events';
import type { RouteHandler, Router } from './router';

/**
 * The window the service's WebSocket publish limit is counted in (a second), with 5% to spare: how
 * the service counts is not documented [UNK] (protocol reference §6.1); the emulator counts a
 * sliding second. A request that arrives a little later or earlier than it was sent must not make
 * 26 in a second.
 */
const PACING_WINDOW_MS = 1050;

/** A WebSocket publish request waiting for its turn under `publishRateLimit`. */
export interface Turn {
  /** It may be sent now, on `session` (it is counted as sent). */
  _turn(session: Session): void;
}

function stopTimer(timer: Subscription | undefined): undefined {
  timer?.unsubscribe();
  return undefined;
}

/**
 * What every operation needs from the client: the connection, the router, time, ids and auth.
 *
 * @example
 * ```ts
 * const ctx = new OperationContext({ connection, router, scheduler, endpoints, auth, headers: {}, requestTimeoutMs: 15000, generateId: nanoid, protocolErrors });
 * ```
 */
export class OperationContext {
  // The fields named like the constructor's `init` are copied from it (Object.assign).
  readonly connection!: Connection;
  readonly router!: Router;
  readonly endpoints!: ResolvedEndpoints;
  readonly auth!: AuthProvider;
  readonly headers!: Readonly<Record<string, string>>;
  readonly requestTimeoutMs!: number;
  readonly protocolErrors!: Subject<AppSyncEventsError>;
  readonly scheduler!: SchedulerLike;
  /** The client's reconnection policy (`false`: none), which a resubscription follows too. */
  readonly retry?: ResolvedRetryOptions | false;
  /** WebSocket publish requests sent per window at most (a whole number; `false` or absent: no pacing). */
  readonly publishRateLimit?: number | false;
  /** Publish requests waiting for their turn, in order (see {@link _mayGo}). */
  private readonly _turns = new Set<Turn>();
  /** Requests sent once already (an idempotent resend, a retry after Unauthorized or a refusal for the rate): before `_turns`, in order. */
  private readonly _again: Turn[] = [];
  /** When the first of the line may go. */
  private _turnTimer: Subscription | undefined;
  /**
   * The times of the last `publishRateLimit` publish requests sent on `_pacedOn` (a ring: `_oldest`
   * is the oldest); made afresh for each connection, as the service counts per connection.
   */
  private _sent: number[] | undefined;
  private _oldest = 0;
  private _pacedOn: Session | undefined;
  private readonly generateId!: () => string;
  private readonly checkIds?: boolean;
  /** Request timeouts: one scheduler action for all in-flight requests, not one per request. */
  readonly _deadlines: Deadlines;
  /** Operations holding the connection (subscriptions, publishes in flight), and the one use they hold together. */
  private _uses = 0;
  private _releaseUses: (() => void) | undefined;
  /**
   * Operations waiting for an auth provider's answer, or for a resubscription's retry delay:
   * neither routed nor waiting for the connection, so the router cannot tell them that the
   * connection failed for good or was closed; the constructor's watch does. Requests with a fixed
   * answer (API keys) never wait, and never touch this set.
   */
  readonly _authorizing = new Set<Operation>();
  /**
   * Set when the client starts closing (before its subscriptions end): from then on a new
   * operation fails at once, with nothing sent (a `repeat()`, or a publish from a subscriber's
   * `complete`, would otherwise start one while the client is being closed).
   */
  _closed: boolean | undefined;
  /** The provider last asked for in {@link Operation._authorize}, and its fixed answer (API keys). */
  _fixedFor: AuthProvider | undefined;
  _fixed: Authorization | undefined;

  constructor(init: {
    connection: Connection;
    router: Router;
    scheduler: SchedulerLike;
    endpoints: ResolvedEndpoints;
    auth: AuthProvider;
    headers: Readonly<Record<string, string>>;
    requestTimeoutMs: number;
    generateId: () => string;
    /** Check each generated id against the id grammar. @default true */
    checkIds?: boolean;
    protocolErrors: Subject<AppSyncEventsError>;
    retry?: ResolvedRetryOptions | false;
    publishRateLimit?: number | false;
  }) {
    Object.assign(this, init);
    this._deadlines = new Deadlines(init.scheduler);
    const { connection } = init;
    // What fails the connection's waiters (a terminal failure, `close()`) fails these too.
    // A new session lets the publish requests waiting for their turn go: once the operations that
    // waited for it have been told (an idempotent resend among them goes first), so on a new turn.
    connection._settled$.subscribe((outcome) => {
      if (!AppSyncEventsError.is(outcome)) {
        if (this._turns.size || this._again.length) {
          stopTimer(this._turnTimer);
          this._turnTimer = this.scheduler.schedule(() => this._drain());
        }
      } else {
        // Each only while still `closed`: an earlier one's error handler may have started a new attempt.
        for (const operation of this._authorizing) if (connection._state$.value.status === 'closed') operation._connectionFailed(outcome);
      }
    });
  }

  /**
   * An operation starts using the connection (a live channel subscription, a publish in flight):
   * the connection stays open until {@link _release}. All operations hold one `connection._retain()`
   * together (taken by the first, released by the last), which is what one retain each amounts
   * to, without a release closure per operation (heap per idle subscription, CPU per publish).
   */
  _acquire(): void {
    if (!this._uses++) this._releaseUses = this.connection._retain();
  }

  /** An operation stopped using the connection (call exactly once per {@link _acquire}). */
  _release(): void {
    if (!--this._uses) this._releaseUses!(); // set by the acquire that took the count to one
  }

  /**
   * May a WebSocket publish request be sent now on `session`? Yes (and it is counted as sent) when
   * none waits and fewer than `publishRateLimit` were sent on this connection in the last
   * {@link PACING_WINDOW_MS}; otherwise `turn` waits in line, and `_turn(session)` is called when
   * it may be sent. `again`: a request sent once already (an idempotent resend, a retry after
   * Unauthorized or after a refusal for the rate) goes before those never sent. The line moves
   * only while there is an acknowledged session, so a request keeps its place through a
   * reconnection; each connection is counted afresh.
   */
  _mayGo(turn: Turn, session: Session, again?: boolean): boolean {
    if (!this.publishRateLimit) return true;
    if (!this._turns.size && !this._again.length && this._take(session)) return true;
    if (again) this._again.push(turn);
    else this._turns.add(turn);
    this._drainLater();
    return false;
  }

  /** A request left the line (teardown, timeout, close, failure). */
  _leave(turn: Turn): void {
    const again = this._again;
    if (!this._turns.delete(turn)) {
      const i = again.indexOf(turn);
      if (i >= 0) again.splice(i, 1);
    }
    if (!this._turns.size && !again.length) this._turnTimer = stopTimer(this._turnTimer);
  }

  /** The service refused a request for the rate: no request goes before a window has passed. */
  _throttled(): void {
    this._sent?.fill(this.scheduler.now());
  }

  /** Counts a request sent on `session` now, if the window allows one more. */
  private _take(session: Session): boolean {
    const now = this.scheduler.now();
    let sent = this._sent!;
    if (session !== this._pacedOn) {
      this._pacedOn = session;
      this._sent = sent = new Array<number>(this.publishRateLimit as number).fill(-Infinity);
      this._oldest = 0;
    }
    const oldest = this._oldest;
    // A time after now: the clock was set back. Every such time counts as now: one window to wait,
    // not the size of the step.
    if (sent[oldest]! > now) sent.forEach((t, i) => t > now && (sent[i] = now));
    if (sent[oldest]! > now - PACING_WINDOW_MS) return false;
    sent[oldest] = now;
    this._oldest = (oldest + 1) % sent.length;
    return true;
  }

  /** Sends the waiting requests while the window allows, on the session of the moment; then waits for the next turn. */
  _drain(): void {
    this._turnTimer = stopTimer(this._turnTimer);
    for (;;) {
      const again = this._again;
      const turn: Turn | undefined = again[0] ?? this._turns.values().next().value;
      // Read each time: a request's sending runs application code (`generateId`), which may close.
      const session = this.connection._current;
      // No session: the next acknowledged one drains (constructor).
      if (!turn || !session || !this._take(session)) break;
      if (again[0] === turn) again.shift();
      else this._turns.delete(turn);
      turn._turn(session);
    }
    this._drainLater();
  }

  private _drainLater(): void {
    const sent = this._sent;
    if ((this._turns.size || this._again.length) && !this._turnTimer && sent && this.connection._current) {
      this._turnTimer = this.scheduler.schedule(() => this._drain(), Math.max(0, sent[this._oldest]! + PACING_WINDOW_MS - this.scheduler.now()));
    }
  }

  /**
   * Registers `handler` with the router under a fresh id, not in use, and returns the id. A user's
   * `generateId` is checked against the id grammar and for ids in use (the built-in one always
   * passes both: the checks stay off the per-request path); one that throws or returns a bad id
   * fails the operation with a {@link ValidationError} (`INVALID_ID`, with what it threw as the
   * `cause`), one that repeats an id in use with an {@link IdExistsError}.
   */
  _register(handler: RouteHandler): string {
    let id: string | undefined;
    let thrown: unknown;
    try {
      id = this.generateId();
    } catch (e) {
      thrown = e;
    }
    // Only a user's generator may throw, and it is always checked: having thrown, it gave no id,
    // which fails the check ("missing"), with what it threw as the cause. The built-in one (a
    // per-client prefix and a counter) gives well-formed ids that never repeat: neither check is
    // on its per-request path.
    if (this.checkIds !== false) {
      const violation = checkOperationId(id);
      if (violation) throw new ValidationError('INVALID_ID', `generateId: ${violation.message}`, undefined, thrown);
      if (this.router.has(id!)) throw new IdExistsError(id!);
    }
    this.router.set(id!, handler);
    return id!;
  }
}

/**
 * What a channel subscription and a WebSocket publish have in common: one request at a time, sent
 * on an acknowledged session (waiting for one if need be) with fresh authorization, routed by its
 * id, bounded by a deadline, and sent once more with fresh authorization after a first
 * Unauthorized reply (maybe an expired token). Subclasses handle the replies and the losses.
 */
export abstract class Operation implements RouteHandler, TimeoutHandler {
  /** The session that carries the current request (read by the router). */
  _session!: Session;
  /** Its id while routed (possibly stale: unregistering checks that the route is still ours). */
  _id: string | undefined;
  /** The wait for the connection or for the auth provider, whichever is pending. */
  _pending: Subscription | undefined;
  /**
   * The deadline of the current request, linked into its {@link Deadlines} queue (the queue is set
   * while it is pending). Set in the constructor: fields added later would not fit in the object.
   */
  _deadlineDue: number;
  _deadlineQueue: TimeoutHandler['_deadlineQueue'];
  _deadlinePrev: TimeoutHandler | undefined;
  _deadlineNext: TimeoutHandler | undefined;
  /** Who authorises the requests, and the time allowed for each reply. */
  readonly _auth: AuthProvider;
  readonly _timeoutMs: number;
  /** The current request was sent again after an Unauthorized reply (one retry per request). */
  _authRetried: boolean | undefined;
  /** The events of the current request (a publish). */
  _batch: EventBatch | undefined;

  constructor(
    readonly _ctx: OperationContext,
    readonly _channel: string,
    options: { readonly auth?: AuthProvider; readonly timeoutMs?: number },
    readonly _kind: 'subscribe' | 'publish',
  ) {
    this._auth = options.auth ?? _ctx.auth;
    this._timeoutMs = timeoutOption(options.timeoutMs, _ctx.requestTimeoutMs);
    // A number from the start, so that the field holds doubles in place.
    this._deadlineDue = 0;
    this._deadlineQueue = this._deadlinePrev = this._deadlineNext = undefined;
  }

  abstract _onMessage(message: ReceiveMessage): void;
  abstract _onLost(error: AppSyncEventsError, willRetry: boolean): void;
  abstract _onTimeout(): void;
  /** Ends the operation, with `error` when it failed. */
  abstract _close(error?: AppSyncEventsError): void;
  /** True once the operation has ended (its subscribers are gone): an auth provider may end it while it answers. */
  abstract _ended(): boolean;

  /** Sends the current request on the acknowledged session: at once when there is one, else once there is. */
  _whenReady(): void {
    const connection = this._ctx.connection;
    const session = connection._current;
    // With a session, what `connection._whenReady` would do synchronously, without its two callbacks.
    if (session) this._authorize(session);
    else
      this._pending = connection._whenReady(
        (ready) => this._authorize(ready),
        (error) => this._connectionFailed(error),
      );
  }

  /** The connection failed for good, or the client was closed (reported as a close before this operation completed). */
  _connectionFailed(error: AppSyncEventsError): void {
    this._close(error instanceof ConnectionClosedError ? new ConnectionClosedError(this._kind) : error);
  }

  /**
   * Authorises the current request, then sends it. When the provider's answer depends only on the
   * host (an `apiKeyAuth` provider), the authorization object (the client's extra headers, then the
   * provider's fields) is computed once, frozen and reused, so an operation neither builds an
   * {@link AuthRequest} nor calls the provider; any other provider is asked per request.
   */
  _authorize(session: Session): void {
    const ctx = this._ctx;
    const provider = this._auth;
    const { host, httpUrl } = ctx.endpoints;
    if (provider !== ctx._fixedFor) {
      const auth = hostOnlyAuthorization(provider, host);
      ctx._fixedFor = provider;
      ctx._fixed = auth && Object.freeze({ ...ctx.headers, ...auth });
    }
    if (ctx._fixed) return this._transmit(session, ctx._fixed);
    const channel = this._channel;
    const events = this._batch?.events;
    let body: string | undefined;
    // Pending only while an answer is still to come (a synchronous one has been handled already,
    // and its callback may have stored the next pending step).
    const pending =
      resolveAuth(
        provider,
        {
          kind: this._kind,
          host,
          httpUrl,
          channel,
          // Serialised only if the provider reads it (SigV4 does; tokens do not), the way the
          // service rebuilds it from the frame.
          get body(): string {
            return body ?? (body = webSocketSignedBody(channel, events));
          },
        },
        (auth) => this._transmit(session, { ...ctx.headers, ...auth }),
        (error) => this._authFailed(error),
      );
    // Not for an operation that the provider (application code) ended before it returned its
    // pending answer: nothing would ever cancel that wait.
    if (pending) {
      if (this._ended()) pending.unsubscribe();
      else {
        this._pending = pending;
        ctx._authorizing.add(this);
      }
    }
  }

  /** The auth provider failed for the current request (a subscription may try again later). */
  _authFailed(error: AppSyncEventsError): void {
    this._close(error);
  }

  /**
   * Registers a fresh id and sends the request, unless the session ended meanwhile (then waits for
   * the next one); nothing when the auth provider ended the operation while it answered.
   */
  _transmit(session: Session, authorization: Authorization): void {
    if (this._ended()) return;
    const ctx = this._ctx;
    // Whatever was pending (the wait, the provider) is over: not held (heap per idle subscription).
    this._pending = undefined;
    if (ctx._authorizing.size) ctx._authorizing.delete(this);
    if (ctx.connection._current !== session) return this._whenReady();
    try {
      this._id = ctx._register(this);
    } catch (error) {
      return this._close(error as AppSyncEventsError);
    }
    // A user's `generateId` is application code: it may have ended this operation, or closed the
    // client (nothing is sent then; a closed client fails it as `close()` does).
    if (this._ended() || ctx.connection._current !== session) {
      ctx.router._unregister(this._id, this);
      if (!this._ended()) this._whenReady();
      return;
    }
    this._session = session;
    this._sending();
    // A subscribe has no events (JSON leaves the undefined field out).
    session.send({ type: this._kind, id: this._id, channel: this._channel, events: this._batch?.events, authorization } as SendMessage);
  }

  /** The request is about to be sent (registered, on the current session). */
  _sending(): void {}

  /** The request was refused: sent once more with fresh authorization after a first Unauthorized reply, else the operation fails. */
  _refused(errors: readonly MessageError[]): void {
    const error = serverError(this._kind, errors);
    if (error instanceof UnauthorizedError && !this._authRetried) {
      this._authRetried = true;
      this._sendAgain();
    } else this._close(error);
  }

  /** Sends the current request again (nothing was done with it), with fresh authorization and a new id. */
  _sendAgain(): void {
    this._ctx.router._unregister(this._id, this);
    this._whenReady();
  }

  /** Starts the deadline of the current request afresh (`on`), or stops it. */
  _arm(on?: boolean): void {
    const deadlines = this._ctx._deadlines;
    if (on) deadlines.add(this._timeoutMs, this);
    else deadlines.cancel(this);
  }

  /** Ends the current request: no deadline, no wait, no route. */
  _reset(): void {
    const pending = this._pending;
    this._arm();
    if (pending) {
      this._pending = undefined;
      pending.unsubscribe();
      this._ctx._authorizing.delete(this);
    }
    this._ctx.router._unregister(this._id, this);
  }
}
