import type { Subscription } from 'rxjs';
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
import type { ReceiveMessage } from '../protocol/messages';
import type { OperationContext } from './context';
import { preparePublish, sendBatches, type EventBatch, type PublishResult } from './events';
import type { Deadline } from './deadlines';
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
    let prepared;
    try {
      prepared = preparePublish(channel, events);
    } catch (e) {
      subscriber.error(e);
      return undefined;
    }
    if (ctx.connection.isClosed) {
      subscriber.error(new ConnectionClosedError('publish'));
      return undefined;
    }
    const path = prepared.channel;
    const release = ctx.connection.retain();
    const cancel = sendBatches(
      prepared.batches,
      (batch, onResult, onError) => {
        const request = new BatchPublish(ctx, path, batch, options, onResult, onError);
        request.start();
        return () => request.cancel();
      },
      subscriber,
    );
    return () => {
      cancel();
      release();
    };
  });
}

/** One `publish` frame and its reply. */
class BatchPublish implements RouteHandler {
  session!: Session;
  private id: string | undefined;
  private done = false;
  private authRetried = false;
  private timer: Deadline | undefined;
  private wait: Subscription | undefined;
  private authSub: Subscription | undefined;
  private readonly timeoutMs: number;

  constructor(
    private readonly ctx: OperationContext,
    private readonly channel: string,
    private readonly batch: EventBatch,
    private readonly options: PublishOptions,
    private readonly onResult: (successful: readonly { index: number }[], failed: readonly { index: number }[]) => void,
    private readonly onError: (error: AppSyncEventsError) => void,
  ) {
    this.timeoutMs = options.timeoutMs ?? ctx.requestTimeoutMs;
  }

  start(): void {
    this.timer = this.ctx.deadlines.add(this.timeoutMs, () => {
      this.timer = undefined;
      this.fail(new TimeoutError('publish', this.timeoutMs));
    });
    this.waitForSession();
  }

  cancel(): void {
    this.finish();
  }

  onMessage(message: ReceiveMessage): void {
    switch (message.type) {
      case 'publish_success':
        this.finish();
        this.onResult(message.successful, message.failed);
        return;
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
    if (this.done) return;
    if (this.options.idempotent && willRetry) {
      this.waitForSession();
      return;
    }
    const indices = this.batch.events.map((_, i) => this.batch.offset + i);
    this.fail(new PublishOutcomeUnknownError(this.channel, indices, error));
  }

  private waitForSession(): void {
    this.wait = this.ctx.connection.whenReady(
      (session) => {
        this.wait = undefined;
        this.send(session);
      },
      (error) => {
        this.wait = undefined;
        this.fail(error instanceof ConnectionClosedError ? new ConnectionClosedError('publish') : error);
      },
    );
  }

  private send(session: Session): void {
    if (this.done) return;
    const { ctx, channel } = this;
    const events = this.batch.events;
    this.authSub = resolveAuth(
      this.options.auth ?? ctx.auth,
      ctx.authRequest('publish', channel, () => JSON.stringify({ channel, events })),
      (auth) => {
        this.authSub = undefined;
        if (this.done) return;
        if (!session.isOpen || ctx.connection.current !== session) {
          this.waitForSession(); // nothing was sent yet
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
        session.send({ type: 'publish', id, channel, events, authorization: { ...ctx.headers, ...auth } });
      },
      (error) => {
        this.authSub = undefined;
        this.fail(error);
      },
    );
  }

  private fail(error: AppSyncEventsError): void {
    if (this.done) return;
    this.finish();
    this.onError(error);
  }

  private unroute(): void {
    if (this.id !== undefined) this.ctx.router.unregister(this.id, this);
    this.id = undefined;
  }

  private finish(): void {
    this.done = true;
    this.unroute();
    if (this.timer) this.ctx.deadlines.cancel(this.timer);
    this.wait?.unsubscribe();
    this.authSub?.unsubscribe();
    this.timer = undefined;
    this.wait = this.authSub = undefined;
  }
}
