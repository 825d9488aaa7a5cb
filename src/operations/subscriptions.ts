import type { Subscriber, Subscription } from 'rxjs';
import { Observable, Subject, reportUnhandledError } from '../rx';
import { resolveAuth } from '../auth/resolve';
import type { AuthProvider } from '../auth/types';
import { stop, type Session } from '../connection/connection';
import {
  AppSyncEventsError,
  ChannelNotSubscribedError,
  ConnectionClosedError,
  TimeoutError,
  UnauthorizedError,
  UnsupportedMessageFormatError,
  ValidationError,
  serverError,
} from '../errors';
import { parseChannel } from '../protocol/channel';
import type { MessageError, ReceiveMessage, SubscriptionMessage } from '../protocol/messages';
import type { OperationContext } from './context';
import type { RouteHandler } from './router';

/**
 * Options of `subscribe` and `subscribeMessages`.
 *
 * @example
 * ```ts
 * client.subscribe('/default/chat', { onSubscribed: ({ resubscribed }) => resubscribed && refetch() });
 * ```
 */
export interface SubscribeOptions {
  /**
   * Authorization for this channel's `subscribe` frames, instead of the client's. Used only by the
   * subscriber that creates the wire subscription (others share it).
   */
  readonly auth?: AuthProvider;
  /**
   * Called each time the wire subscription is established: first with `resubscribed: false`, then
   * after every reconnection with `resubscribed: true`. AppSync does not replay events missed while
   * disconnected: refetch what you may have missed here.
   */
  readonly onSubscribed?: (event: SubscribedEvent) => void;
}

/**
 * Tells that a channel subscription is live on the server.
 *
 * @example
 * ```ts
 * client.subscribed$.subscribe(({ channel, resubscribed }) => console.log(channel, resubscribed));
 * ```
 */
export interface SubscribedEvent {
  /** The channel as subscribed (normalised, e.g. `/default/*`). */
  readonly channel: string;
  /** True when this follows a reconnection (a gap in delivery is possible). */
  readonly resubscribed: boolean;
}

/**
 * A `broadcast_error` for a channel subscription: an event could not be delivered to it.
 *
 * @example
 * ```ts
 * client.broadcastErrors$.subscribe(({ channel, errors }) => console.warn(channel, errors));
 * ```
 */
export interface BroadcastErrorEvent {
  readonly channel: string;
  readonly errors: readonly MessageError[];
}

type Status = 'waiting' | 'subscribing' | 'active' | 'ended';

/**
 * Calls a user's `onSubscribed` callback. It runs inside the socket's message listener, so an
 * exception must not escape into it (or into the other subscribers): like a throwing `next` handler
 * in RxJS, it is rethrown asynchronously through RxJS's unhandled-error hook.
 */
function notify(callback: (e: SubscribedEvent) => void, event: SubscribedEvent): void {
  try {
    callback(event);
  } catch (error) {
    reportUnhandledError(error);
  }
}

/**
 * The local subscribers of one kind for one channel. Almost every channel has exactly one, so one
 * subscriber is held in a field and a `Set` (about 180 bytes, see bench/README.md, heap-idle) is only
 * allocated for a second. Iteration order is insertion order either way.
 */
class Subscribers<T> {
  private _one: Subscriber<T> | undefined;
  private _many: Set<Subscriber<T>> | undefined;

  get size(): number {
    return this._many !== undefined ? this._many.size : this._one !== undefined ? 1 : 0;
  }

  add(subscriber: Subscriber<T>): void {
    if (this._many !== undefined) this._many.add(subscriber);
    else if (this._one === undefined || this._one === subscriber) this._one = subscriber;
    else {
      this._many = new Set([this._one, subscriber]);
      this._one = undefined;
    }
  }

  delete(subscriber: Subscriber<T>): void {
    if (this._many !== undefined) this._many.delete(subscriber);
    else if (this._one === subscriber) this._one = undefined;
  }

  /** Delivers a value to every subscriber (hot path). */
  next(value: T): void {
    if (this._many !== undefined) for (const s of this._many) s.next(value);
    else if (this._one !== undefined) this._one.next(value);
  }

  /** Removes and returns every subscriber. */
  drain(): Subscriber<T>[] {
    const all = this._many !== undefined ? [...this._many] : this._one !== undefined ? [this._one] : [];
    this._one = undefined;
    this._many = undefined;
    return all;
  }
}

/**
 * One wire subscription, shared by every local subscriber of its channel (ref-counted). It
 * subscribes on the current session, resubscribes after a reconnection, and when the last local
 * subscriber leaves sends `unsubscribe` — only after `subscribe_success`, only on the session that
 * carried it.
 */
class ChannelSubscription implements RouteHandler {
  session!: Session;
  private _status: Status = 'waiting';
  private _id: string | undefined;
  private _established = 0;
  private _authRetried = false;
  private _wait: Subscription | undefined;
  private _authSub: Subscription | undefined;
  private _timer: Subscription | undefined;
  /** True while this subscription counts as a use of the connection ({@link OperationContext.acquire}). */
  private _holding = false;
  readonly _parsed = new Subscribers<unknown>();
  // Most channels never get an onSubscribed callback: the list is allocated on first use.
  readonly _raw = new Subscribers<SubscriptionMessage>();
  private _onSubscribed: Array<(e: SubscribedEvent) => void> | undefined;

  constructor(
    private readonly _registry: SubscriptionRegistry,
    readonly _path: string,
    private readonly _auth: AuthProvider,
  ) {}

  get _size(): number {
    return this._parsed.size + this._raw.size;
  }

  _add(subscriber: Subscriber<unknown> | Subscriber<SubscriptionMessage>, raw: boolean, onSubscribed?: (e: SubscribedEvent) => void): void {
    if (raw) {
      this._raw.add(subscriber as Subscriber<SubscriptionMessage>);
    }
    else this._parsed.add(subscriber as Subscriber<unknown>);
    if (onSubscribed) {
      (this._onSubscribed ??= []).push(onSubscribed);
      if (this._status === 'active') notify(onSubscribed, { channel: this._path, resubscribed: false });
    }
    if (!this._holding) {
      this._holding = true;
      this._registry._ctx.acquire();
      this._subscribeWhenReady();
    }
  }

  _remove(subscriber: Subscriber<unknown> | Subscriber<SubscriptionMessage>, onSubscribed?: (e: SubscribedEvent) => void): void {
    this._parsed.delete(subscriber as Subscriber<unknown>);
    this._raw.delete(subscriber as Subscriber<SubscriptionMessage>);
    if (onSubscribed) {
      const i = this._onSubscribed?.indexOf(onSubscribed) ?? -1;
      if (i >= 0) this._onSubscribed?.splice(i, 1);
    }
    if (this._size === 0 && this._status !== 'ended') {
      // Nobody awaits an implicit unsubscribe (a teardown): a failure is reported, never left as an
      // unhandled rejection.
      this._end().catch((error: AppSyncEventsError) => this._registry._ctx.protocolErrors.next(error));
    }
  }

  /**
   * Ends the wire subscription (the last local subscriber left, or `unsubscribe(channel)`).
   * Resolves when the server confirmed, or at once when there is nothing to undo on the server.
   */
  _end(): Promise<void> {
    const ctx = this._registry._ctx;
    const { _status: status, _id: id, session } = this;
    let result = Promise.resolve();
    if ((status === 'subscribing' || status === 'active') && id !== undefined) {
      if (session.isOpen && ctx.connection.current === session) {
        result = new Promise<void>((resolve, reject) => {
          new Unsubscribe(ctx, session, id, status === 'subscribing', resolve, reject).start();
        });
      } else {
        ctx.router.unregister(id, this);
      }
    }
    this._id = undefined;
    this._finish(); // after sending: releasing may close an idle connection at once (linger 0)
    return result;
  }

  /** Fails every local subscriber (or completes them, after `close()`) and forgets the channel. */
  _fail(error: AppSyncEventsError): void {
    if (this._status === 'ended') return;
    if (this._id !== undefined) this._registry._ctx.router.unregister(this._id, this);
    this._finish();
    const complete = error instanceof ConnectionClosedError;
    for (const s of [...this._parsed.drain(), ...this._raw.drain()]) (complete ? s.complete() : s.error(error));
  }

  // RouteHandler ------------------------------------------------------------------------------

  onMessage(message: ReceiveMessage): void {
    switch (message.type) {
      case 'data':
        this._deliver(message.event);
        return;
      case 'broadcast_error':
        this._deliverBroadcastError(message.errors);
        return;
      case 'subscribe_success': {
        if (this._status !== 'subscribing') return;
        this._cancelTimer();
        this._status = 'active';
        this._authRetried = false;
        const event = { channel: this._path, resubscribed: this._established > 0 };
        this._established++;
        this._registry.subscribed$.next(event);
        if (this._onSubscribed) for (const cb of [...this._onSubscribed]) notify(cb, event);
        return;
      }
      case 'subscribe_error':
      case 'error': {
        if (this._status !== 'subscribing') return;
        this._cancelTimer();
        if (this._id !== undefined) this._registry._ctx.router.unregister(this._id, this);
        const error = serverError('subscribe', message.errors);
        if (error instanceof UnauthorizedError && !this._authRetried) {
          // Maybe an expired token: try once more with freshly obtained auth.
          this._authRetried = true;
          this._id = undefined;
          this._subscribe(this.session);
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
    this._cancelTimer();
    this._id = undefined;
    if (this._status === 'ended') return;
    if (willRetry) {
      // Keep the local subscribers; subscribe again once the next session is acknowledged.
      this._subscribeWhenReady();
      return;
    }
    this._fail(error);
  }

  // -------------------------------------------------------------------------------------------

  private _subscribeWhenReady(): void {
    this._status = 'waiting';
    this._wait = this._registry._ctx.connection.whenReady(
      (session) => {
        this._wait = undefined;
        this._subscribe(session);
      },
      (error) => {
        this._wait = undefined;
        this._fail(error);
      },
    );
  }

  private _subscribe(session: Session): void {
    if (this._status === 'ended') return;
    const ctx = this._registry._ctx;
    this._status = 'waiting';
    const channel = this._path;
    this._authSub = resolveAuth(
      this._auth,
      ctx.authRequest('subscribe', channel, () => JSON.stringify({ channel })),
      (auth) => {
        this._authSub = undefined;
        if (this._status !== 'waiting') return;
        if (!session.isOpen || ctx.connection.current !== session) {
          this._subscribeWhenReady(); // the session ended while auth was computed; nothing was sent
          return;
        }
        let id: string;
        try {
          id = ctx.newId();
        } catch (e) {
          this._fail(e as AppSyncEventsError);
          return;
        }
        this._id = id;
        this.session = session;
        this._status = 'subscribing';
        ctx.router.register(id, this);
        this._timer = ctx.scheduler.schedule(() => {
          this._timer = undefined;
          this._onTimeout();
        }, ctx.requestTimeoutMs);
        session.send({ type: 'subscribe', id, channel, authorization: { ...ctx.headers, ...auth } });
      },
      (error) => {
        this._authSub = undefined;
        this._fail(error);
      },
    );
  }

  private _onTimeout(): void {
    const { _id: id, session } = this;
    if (this._status !== 'subscribing' || id === undefined) return;
    this._id = undefined;
    // The subscribe may still succeed late: an Unsubscribe takes over the id and undoes it then.
    new Unsubscribe(this._registry._ctx, session, id, true, noop, noop).start();
    this._fail(new TimeoutError('subscribe', this._registry._ctx.requestTimeoutMs));
  }

  private _deliver(event: string): void {
    if (this._raw.size > 0) {
      this._raw.next({ type: 'data', channel: this._path, event });
    }
    if (this._parsed.size > 0) {
      let value: unknown;
      try {
        value = JSON.parse(event);
      } catch {
        this._registry._ctx.protocolErrors.next(
          new UnsupportedMessageFormatError(`event on ${this._path} is not valid JSON`, event.length > 200 ? `${event.slice(0, 197)}...` : event),
        );
        return;
      }
      this._parsed.next(value);
    }
  }

  private _deliverBroadcastError(errors: readonly MessageError[]): void {
    this._raw.next({ type: 'broadcast_error', channel: this._path, errors });
    this._registry.broadcastErrors$.next({ channel: this._path, errors });
  }

  private _finish(): void {
    this._status = 'ended';
    this._cancelTimer();
    this._wait = stop(this._wait);
    this._authSub = stop(this._authSub);
    this._registry._forget(this);
    if (this._holding) {
      this._holding = false;
      this._registry._ctx.release();
    }
  }

  private _cancelTimer(): void {
    this._timer = stop(this._timer);
  }
}

const noop = (): void => undefined;

/**
 * An `unsubscribe` in flight for a subscription id. When the subscribe is still pending, it waits
 * for `subscribe_success` before sending (the service ignores an unsubscribe for a pending
 * subscribe), and drops the subscription if the subscribe fails.
 */
class Unsubscribe implements RouteHandler {
  private _timer: Subscription | undefined;
  private _sent = false;
  // Holds the connection open until the server answered, so that a lazy close (linger 0) cannot
  // cut the unsubscribe short.
  private _release: (() => void) | undefined;

  constructor(
    private readonly _ctx: OperationContext,
    readonly session: Session,
    private readonly _id: string,
    private readonly _waitForAck: boolean,
    private readonly _resolve: () => void,
    private readonly _reject: (e: AppSyncEventsError) => void,
  ) {}

  start(): void {
    this._release = this._ctx.connection.retain();
    this._ctx.router.replace(this._id, this);
    // Waiting for a subscribe reply is bounded too: a reply that never comes must not hold the
    // connection open for ever.
    if (this._waitForAck) this._armTimer();
    else this._send();
  }

  private _send(): void {
    this._sent = true;
    this._armTimer();
    if (!this.session.send({ type: 'unsubscribe', id: this._id })) this._done();
  }

  private _armTimer(): void {
    stop(this._timer);
    this._timer = this._ctx.scheduler.schedule(() => {
      this._timer = undefined;
      this._finish();
      this._reject(new TimeoutError('unsubscribe', this._ctx.requestTimeoutMs));
    }, this._ctx.requestTimeoutMs);
  }

  onMessage(message: ReceiveMessage): void {
    switch (message.type) {
      case 'subscribe_success':
        if (!this._sent) this._send();
        return;
      case 'subscribe_error':
        if (!this._sent) this._done();
        return;
      case 'unsubscribe_success':
        this._done();
        return;
      case 'unsubscribe_error':
      case 'error':
        if (!this._sent) return;
        this._finish();
        this._reject(serverError('unsubscribe', message.errors));
        return;
      default:
        return; // late data for a subscription being ended: dropped by design
    }
  }

  onLost(): void {
    // The socket is gone, and with it the server-side subscription.
    this._finish();
    this._resolve();
  }

  private _done(): void {
    this._finish();
    this._resolve();
  }

  private _finish(): void {
    this._timer = stop(this._timer);
    this._ctx.router.unregister(this._id, this);
    const release = this._release;
    this._release = undefined;
    release?.();
  }
}

/**
 * The channel subscriptions of one client: one wire subscription per normalised channel, shared by
 * its local subscribers.
 *
 * @example
 * ```ts
 * const registry = new SubscriptionRegistry(ctx);
 * registry.subscribe<Message>('/default/chat').subscribe(console.log);
 * ```
 */
export class SubscriptionRegistry {
  private readonly _channels = new Map<string, ChannelSubscription>();
  /** Each (re)subscription confirmed by the server (hot). */
  readonly subscribed$ = new Subject<SubscribedEvent>();
  /** Each `broadcast_error` (hot). */
  readonly broadcastErrors$ = new Subject<BroadcastErrorEvent>();

  constructor(readonly _ctx: OperationContext) {}

  /** Parsed events of a channel (cold; shares the wire subscription). */
  subscribe<T>(channel: string, options: SubscribeOptions = {}): Observable<T> {
    return this._observe<T>(channel, options, false);
  }

  /** Raw `data` and `broadcast_error` messages of a channel (cold; shares the wire subscription). */
  subscribeMessages(channel: string, options: SubscribeOptions = {}): Observable<SubscriptionMessage> {
    return this._observe<SubscriptionMessage>(channel, options, true);
  }

  /** Ends the wire subscription of a channel and completes its local subscribers. */
  unsubscribe(channel: string): Promise<void> {
    const check = parseChannel(channel, { allowWildcard: true });
    if (!check.ok) return Promise.reject(new ValidationError('INVALID_CHANNEL', check.reason));
    const entry = this._channels.get(check.channel.path);
    if (entry === undefined) return Promise.reject(new ChannelNotSubscribedError(check.channel.path));
    const subscribers = [...entry._parsed.drain(), ...entry._raw.drain()];
    const result = entry._end();
    for (const s of subscribers) s.complete();
    return result;
  }

  /** Completes every local subscriber without sending anything (the socket is about to close). */
  closeAll(): void {
    const error = new ConnectionClosedError('client');
    for (const entry of [...this._channels.values()]) entry._fail(error);
    this.subscribed$.complete();
    this.broadcastErrors$.complete();
  }

  /** @internal */
  _forget(entry: ChannelSubscription): void {
    if (this._channels.get(entry._path) === entry) this._channels.delete(entry._path);
  }

  private _observe<T>(channel: string, options: SubscribeOptions, raw: boolean): Observable<T> {
    return new Observable<T>((subscriber) => {
      const check = parseChannel(channel, { allowWildcard: true });
      if (!check.ok) {
        subscriber.error(new ValidationError('INVALID_CHANNEL', check.reason));
        return undefined;
      }
      if (this._ctx.connection.isClosed) {
        subscriber.error(new ConnectionClosedError('subscribe'));
        return undefined;
      }
      const path = check.channel.path;
      let entry = this._channels.get(path);
      if (entry === undefined) {
        entry = new ChannelSubscription(this, path, options.auth ?? this._ctx.auth);
        this._channels.set(path, entry);
      }
      const own = entry;
      const target = subscriber as unknown as Subscriber<unknown>;
      own._add(target, raw, options.onSubscribed);
      return () => own._remove(target, options.onSubscribed);
    });
  }
}
