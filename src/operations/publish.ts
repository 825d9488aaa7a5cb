import type { Subscriber, Subscription, Unsubscribable } from 'rxjs';
import { Observable } from '../rx';
import { resolveAuth } from '../auth/resolve';
import type { AuthProvider } from '../auth/types';
import type { Session } from '../connection/connection';
import {
  AppSyncEventsError,
  ConnectionClosedError,
  PublishOutcomeUnknownError,
  TimeoutError,
  UnauthorizedError,
  serverError,
} from '../errors';
import type { Authorization, ReceiveMessage } from '../protocol/messages';
import { MAX_EVENTS_PER_PUBLISH } from '../protocol/limits';
import type { OperationContext } from './context';
import { batchAt, encodeEvents, publishChannel, PublishResultBuilder, singleRequestResult, type PublishResult } from './events';
import type { Deadline, TimeoutHandler } from './deadlines';
import type { RouteHandler } from './router';

/**
 * Options of `publish` and `publishHttp`.
 *
 * @example
 * ```ts
 * client.publish('/default/a', [event], { timeoutMs: 5000, idempotent: true });
 * ```
 */
export interface PublishOptions {
  /** Authorization for this publish instead of the client's. */
  readonly auth?: AuthProvider;
  /** Time allowed per request of at most five events, from the call to the reply. @default the client's requestTimeoutMs */
  readonly timeoutMs?: number;
  /**
   * The events may safely be published twice. When the socket drops after the frame was sent,
   * the publish is sent again on the next connection instead of failing with
   * {@link PublishOutcomeUnknownError}. WebSocket only. @default false
   */
  readonly idempotent?: boolean;
}

/**
 * Publishes over the WebSocket: validates and encodes first (nothing is sent on bad input), then
 * sends requests of at most five events one after the other (keeping the caller's order) and
 * merges their results by caller index. Cold: nothing happens until subscribed; unsubscribing
 * early stops the remaining requests.
 *
 * @example
 * ```ts
 * publishOverWebSocket(ctx, '/default/a', [1, 2], {}).subscribe((r) => console.log(r.successful));
 * ```
 */
export function publishOverWebSocket(ctx: OperationContext, channel: string, events: readonly unknown[], options: PublishOptions): Observable<PublishResult> {
  // A plain `new Observable(fn)`: a subclass overriding `_subscribe` would save the closure, but
  // that member is RxJS-internal (and the build mangles `_`-prefixed names).
  return new Observable<PublishResult>((subscriber) => {
    let path: string;
    let encoded: string[];
    try {
      path = publishChannel(channel);
      encoded = encodeEvents(events);
    } catch (e) {
      subscriber.error(e);
      return undefined;
    }
    if (ctx.connection.isClosed) {
      subscriber.error(new ConnectionClosedError('publish'));
      return undefined;
    }
    const publish = new WebSocketPublish(ctx, path, encoded, options, subscriber);
    publish._start();
    // The publish is its own teardown (an Unsubscribable): no closure per subscription. When it
    // already ended synchronously, RxJS calls it at once, which gives the connection use back.
    return publish;
  });
}

/**
 * One WebSocket publish: its requests of at most five events, sent one after the other, each a
 * `publish` frame and its reply. One object does it all (route handler, deadline handler,
 * teardown), so that the common case, a single request, allocates little beyond the frame: no
 * batches array, no result builder, no closures unless the connection or the auth provider has to
 * be waited for. While it runs it counts as a use of the connection ({@link OperationContext.acquire}).
 */
class WebSocketPublish implements RouteHandler, TimeoutHandler, Unsubscribable {
  /** The session that carries the current request (read by the router). */
  session!: Session;
  private readonly _timeoutMs: number;
  private readonly _provider: AuthProvider;
  /** Only for a publish of more than one request. */
  private readonly _builder: PublishResultBuilder | undefined;
  /** Where the current request starts in the caller's array, and its events. */
  private _offset = 0;
  private _batch: readonly string[] = [];
  /** True while the current request is pending (false between requests and once it all ended). */
  private _active = false;
  /** True once the teardown ran (the connection use is given back once). */
  private _ended = false;
  private _authRetried = false;
  private _id: string | undefined;
  private _timer: Deadline | undefined;
  private _wait: Subscription | undefined;
  private _authSub: Subscription | undefined;

  constructor(
    private readonly _ctx: OperationContext,
    private readonly _channel: string,
    private readonly _events: readonly string[],
    private readonly _options: PublishOptions,
    private readonly _subscriber: Subscriber<PublishResult>,
  ) {
    this._timeoutMs = _options.timeoutMs ?? _ctx.requestTimeoutMs;
    this._provider = _options.auth ?? _ctx.auth;
    this._builder = _events.length > MAX_EVENTS_PER_PUBLISH ? new PublishResultBuilder() : undefined;
    _ctx.acquire();
  }

  _start(): void {
    this._startRequest(0);
  }

  /** Teardown: cancels the request in flight (if any) and gives the connection use back. */
  unsubscribe(): void {
    this._finishRequest();
    if (this._ended) return;
    this._ended = true;
    this._ctx.release();
  }

  onTimeout(): void {
    this._timer = undefined;
    this._fail(new TimeoutError('publish', this._timeoutMs));
  }

  onMessage(message: ReceiveMessage): void {
    switch (message.type) {
      case 'publish_success': {
        this._finishRequest();
        const builder = this._builder;
        const subscriber = this._subscriber;
        if (builder === undefined) {
          subscriber.next(singleRequestResult(message.successful, message.failed));
          subscriber.complete();
          return;
        }
        builder.add(this._offset, message.successful, message.failed);
        const next = this._offset + MAX_EVENTS_PER_PUBLISH;
        if (next < this._events.length) {
          this._startRequest(next);
          return;
        }
        subscriber.next(builder.build());
        subscriber.complete();
        return;
      }
      case 'publish_error':
      case 'error': {
        const error = serverError('publish', message.errors);
        if (error instanceof UnauthorizedError && !this._authRetried) {
          // Rejected before anything was published: safe to try once more with fresh auth.
          this._authRetried = true;
          this._unroute();
          this._send(this.session);
          return;
        }
        this._fail(error);
        return;
      }
      default:
        return;
    }
  }

  onLost(error: AppSyncEventsError, willRetry: boolean): void {
    this._id = undefined; // the router already dropped it
    if (!this._active) return;
    if (this._options.idempotent && willRetry) {
      this._withSession();
      return;
    }
    const offset = this._offset;
    const indices = this._batch.map((_, i) => offset + i);
    this._fail(new PublishOutcomeUnknownError(this._channel, indices, error));
  }

  private _startRequest(offset: number): void {
    this._offset = offset;
    this._batch = batchAt(this._events, offset);
    this._active = true;
    this._authRetried = false;
    this._timer = this._ctx.deadlines.add(this._timeoutMs, this);
    this._withSession();
  }

  /** Sends the current request on the acknowledged session: at once when there is one, else once there is. */
  private _withSession(): void {
    const connection = this._ctx.connection;
    const session = connection.current;
    if (session !== undefined) {
      // What whenReady would do synchronously, without its two callbacks.
      this._send(session);
      return;
    }
    const wait = connection.whenReady(
      (s) => {
        this._wait = undefined;
        this._send(s);
      },
      (error) => {
        this._wait = undefined;
        this._fail(error instanceof ConnectionClosedError ? new ConnectionClosedError('publish') : error);
      },
    );
    if (!wait.closed) this._wait = wait;
  }

  /** Authorises the current request, then sends it. */
  private _send(session: Session): void {
    if (!this._active) return;
    const ctx = this._ctx;
    const provider = this._provider;
    const fixed = ctx.fixedAuthorization(provider);
    if (fixed !== undefined) {
      this._transmit(session, fixed);
      return;
    }
    const channel = this._channel;
    const events = this._batch;
    const pending = resolveAuth(
      provider,
      ctx.authRequest('publish', channel, () => JSON.stringify({ channel, events })),
      (auth) => {
        this._authSub = undefined;
        if (this._active) this._transmit(session, ctx.withHeaders(auth));
      },
      (error) => {
        this._authSub = undefined;
        this._fail(error);
      },
    );
    // Only an answer still to come needs cancelling (a synchronous one has already been handled).
    if (pending !== undefined) this._authSub = pending;
  }

  private _transmit(session: Session, authorization: Authorization): void {
    const ctx = this._ctx;
    if (!session.isOpen || ctx.connection.current !== session) {
      this._withSession(); // nothing was sent yet
      return;
    }
    let id: string;
    try {
      id = ctx.register(this);
    } catch (e) {
      this._fail(e as AppSyncEventsError);
      return;
    }
    this._id = id;
    this.session = session;
    session.send({ type: 'publish', id, channel: this._channel, events: this._batch, authorization });
  }

  private _fail(error: AppSyncEventsError): void {
    if (!this._active) return;
    this._finishRequest();
    this._subscriber.error(error);
  }

  private _unroute(): void {
    if (this._id !== undefined) this._ctx.router.unregister(this._id, this);
    this._id = undefined;
  }

  /** Ends the current request: no route, no deadline, no wait. Idempotent. */
  private _finishRequest(): void {
    this._active = false;
    this._unroute();
    const timer = this._timer;
    const wait = this._wait;
    const authSub = this._authSub;
    if (timer !== undefined) {
      this._timer = undefined;
      this._ctx.deadlines.cancel(timer);
    }
    if (wait !== undefined) {
      this._wait = undefined;
      wait.unsubscribe();
    }
    if (authSub !== undefined) {
      this._authSub = undefined;
      authSub.unsubscribe();
    }
  }
}
