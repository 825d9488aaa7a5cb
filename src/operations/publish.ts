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
import type { OperationContext } from './context';
import { addResults, completeWith, preparePublish, type EventBatch, type MergedResult, type PublishResult } from './events';
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
  // What the subscribe function throws, RxJS hands to the subscriber as its error.
  return new Observable<PublishResult>((subscriber) => {
    // On a closed client the publish fails at once, with ConnectionClosedError, without a socket.
    // The publish is its own teardown (an Unsubscribable): no closure per subscription. When it
    // already ended synchronously, RxJS calls it at once, which gives the connection use back.
    const { channel: path, batches } = preparePublish(channel, events);
    return new WebSocketPublish(ctx, path, batches, options, subscriber);
  });
}

/**
 * One WebSocket publish: its requests of at most five events, sent one after the other, each a
 * `publish` frame and its reply. One object does it all (route handler, deadline handler,
 * teardown), so that a publish allocates little beyond the frame: no closures unless the
 * connection or the auth provider has to be waited for. From construction to teardown it counts
 * as a use of the connection ({@link OperationContext.acquire}).
 */
class WebSocketPublish implements RouteHandler, TimeoutHandler, Unsubscribable {
  /** The session that carries the current request (read by the router). */
  session!: Session;
  private readonly _timeoutMs: number;
  /** The results so far; made at the first reply (10,000 publishes in flight hold no lists). */
  private _result: MergedResult | undefined;
  /** The current request: its index in the batches, and its batch. */
  private _index = -1;
  private _batch!: EventBatch;
  /** The batch whose request was retried after an Unauthorized reply (one retry per request). */
  private _authRetried: EventBatch | undefined;
  /** Its id while routed (possibly stale: unregistering checks that the route is still ours). */
  private _id: string | undefined;
  private _timer: Deadline | undefined;
  /** The wait for the connection or for the auth provider, whichever is pending. */
  private _pending: Subscription | undefined;

  constructor(
    private readonly _ctx: OperationContext,
    private readonly _channel: string,
    private readonly _batches: readonly EventBatch[],
    private readonly _options: PublishOptions,
    private readonly _subscriber: Subscriber<PublishResult>,
  ) {
    this._timeoutMs = _options.timeoutMs ?? _ctx.requestTimeoutMs;
    _ctx.acquire();
    this._next();
  }

  /** Teardown: cancels the request in flight (if any) and gives the connection use back (RxJS calls it once). */
  unsubscribe(): void {
    this._finish();
    this._ctx.release();
  }

  onTimeout(): void {
    this._fail(new TimeoutError('publish', this._timeoutMs));
  }

  onMessage(message: ReceiveMessage): void {
    if (message.type === 'publish_success') {
      this._finish();
      addResults(this._result ?? (this._result = { successful: [], failed: [] }), this._batch.offset, message.successful, message.failed);
      this._next();
    } else if ('errors' in message) {
      // publish_error, or error: the request was refused.
      const error = serverError('publish', message.errors);
      if (error instanceof UnauthorizedError && this._authRetried !== this._batch) {
        // Rejected before anything was published: safe to try once more with fresh auth.
        this._authRetried = this._batch;
        this._ctx.router.unregister(this._id, this);
        this._send(this.session);
      } else this._fail(error);
    }
  }

  onLost(error: AppSyncEventsError, willRetry: boolean): void {
    const { offset, events } = this._batch;
    if (this._options.idempotent && willRetry) this._whenReady();
    else this._fail(new PublishOutcomeUnknownError(this._channel, events.map((_, i) => offset + i), error));
  }

  /** Starts the next request, with its deadline; after the last one, emits the merged result. */
  private _next(): void {
    const batch = this._batches[++this._index];
    if (batch === undefined) return completeWith(this._subscriber, this._result!);
    this._batch = batch;
    this._timer = this._ctx.deadlines.add(this._timeoutMs, this);
    this._whenReady();
  }

  /** Sends the current request on the acknowledged session: at once when there is one, else once there is. */
  private _whenReady(): void {
    const connection = this._ctx.connection;
    const session = connection.current;
    // With a session, what whenReady would do synchronously, without its two callbacks.
    if (session !== undefined) this._send(session);
    else
      this._pending = connection.whenReady(
        (ready) => this._send(ready),
        (error) => this._fail(error instanceof ConnectionClosedError ? new ConnectionClosedError('publish') : error),
      );
  }

  /** Authorises the current request, then sends it. */
  private _send(session: Session): void {
    const ctx = this._ctx;
    const provider = this._options.auth ?? ctx.auth;
    const fixed = ctx.fixedAuthorization(provider);
    if (fixed !== undefined) this._transmit(session, fixed);
    else {
      const channel = this._channel;
      const { events } = this._batch;
      // Pending only while an answer is still to come (a synchronous one has been handled already).
      this._pending = resolveAuth(
        provider,
        ctx.authRequest('publish', channel, () => JSON.stringify({ channel, events })),
        (auth) => this._transmit(session, ctx.withHeaders(auth)),
        (error) => this._fail(error),
      );
    }
  }

  private _transmit(session: Session, authorization: Authorization): void {
    const ctx = this._ctx;
    // The session may have ended while the provider was answering: nothing was sent yet.
    if (!session.isOpen || ctx.connection.current !== session) return this._whenReady();
    let id: string;
    try {
      id = ctx.register(this);
    } catch (e) {
      return this._fail(e as AppSyncEventsError);
    }
    this._id = id;
    this.session = session;
    session.send({ type: 'publish', id, channel: this._channel, events: this._batch.events, authorization });
  }

  /**
   * Fails the publish. RxJS then runs the teardown ({@link unsubscribe}), which ends the request;
   * an error after the end is ignored.
   */
  private _fail(error: AppSyncEventsError): void {
    this._subscriber.error(error);
  }

  /**
   * Ends the current request: no route, no deadline, no wait. Idempotent: the deadline is set
   * exactly while a request is pending (the teardown after the last reply has nothing to do).
   */
  private _finish(): void {
    const ctx = this._ctx;
    if (this._timer === undefined) return;
    ctx.deadlines.cancel(this._timer);
    this._timer = undefined;
    ctx.router.unregister(this._id, this);
    this._pending?.unsubscribe();
  }
}
