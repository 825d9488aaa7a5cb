import type { Subscriber, Unsubscribable } from 'rxjs';
import { Observable } from '../rx';
import type { AuthProvider } from '../auth/types';
import { ConnectionClosedError, PublishOutcomeUnknownError, TimeoutError, UnsupportedMessageFormatError, excerpt, type AppSyncEventsError } from '../errors';
import type { Session } from '../connection/connection';
import type { Authorization, MessageError, ReceiveMessage } from '../protocol/messages';
import { Operation, type OperationContext, type Turn } from './context';
import { addResults, completeWith, coversEvents, failWith, preparePublish, type EventBatch, type MergedResult, type PreparedPublish, type PublishResult } from './events';

/**
 * Options of `publish` (and, as `HttpPublishOptions`, of the HTTP publisher's `publish`).
 *
 * @example
 * ```ts
 * client.publish('/default/a', [{ text: 'hi' }], { timeoutMs: 5000, idempotent: true }).subscribe((r) => console.log(r.successful));
 * ```
 */
export interface PublishOptions {
  /** Authorization for this publish instead of the client's. */
  readonly auth?: AuthProvider;
  /**
   * Time allowed per request of at most five events, from the call to the reply, a wait for its
   * turn under the client's `publishRateLimit` included. @default the client's requestTimeoutMs
   */
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
    // On a closed client, or one being closed (a publish from a subscriber's `complete`), the
    // publish fails at once, after the validation, with ConnectionClosedError and nothing sent.
    // The publish is its own teardown (an Unsubscribable): no closure per subscription. When it
    // already ended synchronously, RxJS calls it at once, which gives the connection use back.
    const prepared = preparePublish(channel, events);
    if (ctx._closed) throw new ConnectionClosedError('publish');
    return new WebSocketPublish(ctx, prepared, options, subscriber);
  });
}

/**
 * One WebSocket publish: its requests of at most five events, sent one after the other, each a
 * `publish` frame and its reply. One object does it all (route handler, deadline handler,
 * teardown), so that a publish allocates little beyond the frame: no closures unless the
 * connection or the auth provider has to be waited for. From construction to teardown it counts
 * as a use of the connection ({@link OperationContext._acquire}).
 */
class WebSocketPublish extends Operation implements Unsubscribable, Turn {
  /** The results so far; made at the first reply (10,000 publishes in flight hold no lists). */
  private _result: MergedResult | undefined;
  /** The requests not sent yet (the publish's own array: taken from the front; let go once empty). */
  private _batches: EventBatch[] | undefined;
  /** The authorization of the request waiting for its turn (`publishRateLimit`). */
  private _waiting: Authorization | undefined;
  /** The current request is being sent again after a reconnection (idempotent), or after a refusal for the rate. */
  private _resent: boolean | undefined;
  /** How many times the service refused the current request for the rate. */
  private _limited = 0;

  constructor(
    ctx: OperationContext,
    prepared: PreparedPublish,
    private readonly _options: PublishOptions,
    private readonly _subscriber: Subscriber<PublishResult>,
  ) {
    super(ctx, prepared.channel, _options, 'publish');
    this._batches = prepared.batches as EventBatch[];
    ctx._acquire();
    this._next();
  }

  /**
   * Teardown: ends the request in flight (if any: the deadline is set exactly while a request is
   * pending, so the teardown after the last reply has nothing to do) and gives the connection use
   * back (RxJS calls it once).
   */
  unsubscribe(): void {
    if (this._deadlineQueue || this._waiting) this._reset();
    this._ctx._release();
  }

  _onTimeout(): void {
    // The deadline is already off its queue, so the teardown would not end the request: end it here
    // (its route, and a wait for the connection or the auth provider, which would send it later).
    this._reset();
    this._close(new TimeoutError('publish', this._timeoutMs));
  }

  _onMessage(message: ReceiveMessage): void {
    if (message.type === 'publish_success') {
      const { offset, events } = this._batch!;
      // A reply that does not account for each event once: the outcome of the request is unknown.
      if (!coversEvents(message.successful, message.failed, events.length)) {
        const malformed = new UnsupportedMessageFormatError('publish_success without one outcome per event', excerpt(JSON.stringify(message)));
        return this._close(new PublishOutcomeUnknownError(this._channel, events.map((_, i) => offset + i), malformed));
      }
      this._reset();
      addResults(this._result ?? (this._result = { successful: [], failed: [] }), offset, message.successful, message.failed);
      this._next();
    }
    // publish_error, or error: the request was refused (before anything was published).
    else if ('errors' in message) this._refused(message.errors);
  }

  /**
   * Refused for the rate: the frames reached the service closer together than they were sent (a
   * busy event loop, a retransmission). While paced, the request goes again, first in line, once
   * the window has passed, twice at most (a refusal for another quota is not the pace's to fix);
   * its timeout keeps running. Any other refusal as for every operation.
   */
  override _refused(errors: readonly MessageError[]): void {
    const ctx = this._ctx;
    if (ctx.publishRateLimit && errors.some((e) => /^LimitExceeded/.test(e.errorType)) && ++this._limited < 3) {
      ctx._throttled();
      this._resent = true;
      this._sendAgain();
    } else super._refused(errors);
  }

  _onLost(error: AppSyncEventsError, willRetry: boolean): void {
    // Unsubscribed by an application's callback while the loss was being reported (forkJoin of
    // publishes, one failed): nothing to fail, and nothing to send again.
    if (this._subscriber.closed) return;
    const { offset, events } = this._batch!;
    if (this._options.idempotent && willRetry) {
      // Sent once already: it goes before the requests never sent (`publishRateLimit`).
      this._resent = true;
      this._whenReady();
    }
    else this._close(new PublishOutcomeUnknownError(this._channel, events.map((_, i) => offset + i), error));
  }

  _ended(): boolean {
    return this._subscriber.closed;
  }

  /**
   * Sends the request (authorised), or has it wait for its turn under the client's
   * `publishRateLimit` first ({@link OperationContext._mayGo}): checked right before the frame is
   * sent, so that a request is counted when it really goes. Its deadline keeps running in line (a
   * request still waiting when it expires fails with `TimeoutError`, unsent), and it waits like
   * an operation waiting for its auth provider: `close()`, a terminal failure and the teardown end
   * the wait. One whose session has just been replaced is not paced here: it waits for the next.
   */
  override _transmit(session: Session, authorization: Authorization): void {
    const ctx = this._ctx;
    if (this._ended() || ctx.connection._current !== session || ctx._mayGo(this, session, this._authRetried || this._resent)) return super._transmit(session, authorization);
    this._waiting = authorization;
    ctx._authorizing.add(this);
  }

  /** Its turn: sent on `session`, the session of the moment (an authorization does not depend on the socket). */
  _turn(session: Session): void {
    const authorization = this._waiting!;
    this._waiting = undefined;
    super._transmit(session, authorization);
  }

  override _reset(): void {
    if (this._waiting) {
      this._waiting = undefined;
      this._ctx._leave(this);
      this._ctx._authorizing.delete(this);
    }
    super._reset();
  }

  /** Starts the next request, with its deadline; after the last one, emits the merged result. */
  private _next(): void {
    const batches = this._batches;
    const batch = batches?.shift();
    if (!batch) return completeWith(this._subscriber, this._result!);
    // Not held while the last request is in flight (most publishes have one).
    if (!batches!.length) this._batches = undefined;
    this._batch = batch;
    this._authRetried = this._resent = false;
    this._limited = 0;
    this._arm(true);
    this._whenReady();
  }

  /**
   * Fails the publish. RxJS then runs the teardown ({@link unsubscribe}), which ends the request;
   * an error after the end is ignored.
   */
  _close(error: AppSyncEventsError): void {
    failWith(this._subscriber, this._channel, error, this._result);
  }
}
