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
    publish.start();
    // The publish is its own teardown (an Unsubscribable): no closure per subscription. When it
    // already ended synchronously, RxJS calls it at once, which releases the connection.
    return publish;
  });
}

/**
 * One WebSocket publish: its requests of at most five events, sent one after the other, each a
 * `publish` frame and its reply. One object does it all (route handler, deadline handler,
 * teardown), so that the common case, a single request, allocates little beyond the frame: no
 * batches array, no result builder, no closures unless the connection or the auth provider has to
 * be waited for.
 */
class WebSocketPublish implements RouteHandler, TimeoutHandler, Unsubscribable {
  /** The session that carries the current request (read by the router). */
  session!: Session;
  private readonly release: () => void;
  private readonly timeoutMs: number;
  private readonly provider: AuthProvider;
  /** Only for a publish of more than one request. */
  private readonly builder: PublishResultBuilder | undefined;
  /** Where the current request starts in the caller's array, and its events. */
  private offset = 0;
  private batch: readonly string[] = [];
  /** True while the current request is pending (false between requests and once it all ended). */
  private active = false;
  private authRetried = false;
  private id: string | undefined;
  private timer: Deadline | undefined;
  private wait: Subscription | undefined;
  private authSub: Subscription | undefined;

  constructor(
    private readonly ctx: OperationContext,
    private readonly channel: string,
    private readonly events: readonly string[],
    private readonly options: PublishOptions,
    private readonly subscriber: Subscriber<PublishResult>,
  ) {
    this.timeoutMs = options.timeoutMs ?? ctx.requestTimeoutMs;
    this.provider = options.auth ?? ctx.auth;
    this.builder = events.length > MAX_EVENTS_PER_PUBLISH ? new PublishResultBuilder() : undefined;
    this.release = ctx.connection.retain();
  }

  start(): void {
    this.startRequest(0);
  }

  /** Teardown: cancels the request in flight (if any) and releases the connection. */
  unsubscribe(): void {
    this.finishRequest();
    this.release();
  }

  onTimeout(): void {
    this.timer = undefined;
    this.fail(new TimeoutError('publish', this.timeoutMs));
  }

  onMessage(message: ReceiveMessage): void {
    switch (message.type) {
      case 'publish_success': {
        this.finishRequest();
        const { builder, subscriber } = this;
        if (builder === undefined) {
          subscriber.next(singleRequestResult(message.successful, message.failed));
          subscriber.complete();
          return;
        }
        builder.add(this.offset, message.successful, message.failed);
        const next = this.offset + MAX_EVENTS_PER_PUBLISH;
        if (next < this.events.length) {
          this.startRequest(next);
          return;
        }
        subscriber.next(builder.build());
        subscriber.complete();
        return;
      }
      case 'publish_error':
      case 'error': {
        const error = serverError('publish', message.errors);
        if (error instanceof UnauthorizedError && !this.authRetried) {
          // Rejected before anything was published: safe to try once more with fresh auth.
          this.authRetried = true;
          this.unroute();
          this.send(this.session);
          return;
        }
        this.fail(error);
        return;
      }
      default:
        return;
    }
  }

  onLost(error: AppSyncEventsError, willRetry: boolean): void {
    this.id = undefined; // the router already dropped it
    if (!this.active) return;
    if (this.options.idempotent && willRetry) {
      this.withSession();
      return;
    }
    const indices = this.batch.map((_, i) => this.offset + i);
    this.fail(new PublishOutcomeUnknownError(this.channel, indices, error));
  }

  private startRequest(offset: number): void {
    this.offset = offset;
    this.batch = batchAt(this.events, offset);
    this.active = true;
    this.authRetried = false;
    this.timer = this.ctx.deadlines.add(this.timeoutMs, this);
    this.withSession();
  }

  /** Sends the current request on the acknowledged session: at once when there is one, else once there is. */
  private withSession(): void {
    const connection = this.ctx.connection;
    const session = connection.current;
    if (session !== undefined) {
      // What whenReady would do synchronously, without its two callbacks.
      this.send(session);
      return;
    }
    const wait = connection.whenReady(
      (s) => {
        this.wait = undefined;
        this.send(s);
      },
      (error) => {
        this.wait = undefined;
        this.fail(error instanceof ConnectionClosedError ? new ConnectionClosedError('publish') : error);
      },
    );
    if (!wait.closed) this.wait = wait;
  }

  /** Authorises the current request, then sends it. */
  private send(session: Session): void {
    if (!this.active) return;
    const { ctx, provider } = this;
    const fixed = ctx.fixedAuthorization(provider);
    if (fixed !== undefined) {
      this.transmit(session, fixed);
      return;
    }
    const { channel, batch: events } = this;
    const pending = resolveAuth(
      provider,
      ctx.authRequest('publish', channel, () => JSON.stringify({ channel, events })),
      (auth) => {
        this.authSub = undefined;
        if (this.active) this.transmit(session, ctx.withHeaders(auth));
      },
      (error) => {
        this.authSub = undefined;
        this.fail(error);
      },
    );
    // Only an answer still to come needs cancelling (a synchronous one has already been handled).
    if (pending !== undefined) this.authSub = pending;
  }

  private transmit(session: Session, authorization: Authorization): void {
    const { ctx } = this;
    if (!session.isOpen || ctx.connection.current !== session) {
      this.withSession(); // nothing was sent yet
      return;
    }
    let id: string;
    try {
      id = ctx.newId();
    } catch (e) {
      this.fail(e as AppSyncEventsError);
      return;
    }
    this.id = id;
    this.session = session;
    ctx.router.register(id, this);
    session.send({ type: 'publish', id, channel: this.channel, events: this.batch, authorization });
  }

  private fail(error: AppSyncEventsError): void {
    if (!this.active) return;
    this.finishRequest();
    this.subscriber.error(error);
  }

  private unroute(): void {
    if (this.id !== undefined) this.ctx.router.unregister(this.id, this);
    this.id = undefined;
  }

  /** Ends the current request: no route, no deadline, no wait. Idempotent. */
  private finishRequest(): void {
    this.active = false;
    this.unroute();
    const { timer, wait, authSub } = this;
    if (timer !== undefined) {
      this.timer = undefined;
      this.ctx.deadlines.cancel(timer);
    }
    if (wait !== undefined) {
      this.wait = undefined;
      wait.unsubscribe();
    }
    if (authSub !== undefined) {
      this.authSub = undefined;
      authSub.unsubscribe();
    }
  }
}
