import type { Subscriber, Subscription } from 'rxjs';
import { Observable, Subject } from '../rx';
import { resolveAuth } from '../auth/resolve';
import type { AuthProvider } from '../auth/types';
import type { Session } from '../connection/connection';
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

/** Shared empty set of the channels without raw subscribers; never added to (see `add`). */
const NO_RAW_SUBSCRIBERS: Set<Subscriber<SubscriptionMessage>> = new Set();

/**
 * One wire subscription, shared by every local subscriber of its channel (ref-counted). It
 * subscribes on the current session, resubscribes after a reconnection, and when the last local
 * subscriber leaves sends `unsubscribe` — only after `subscribe_success`, only on the session that
 * carried it.
 */
class ChannelSubscription implements RouteHandler {
  session!: Session;
  private status: Status = 'waiting';
  private id: string | undefined;
  private established = 0;
  private authRetried = false;
  private wait: Subscription | undefined;
  private authSub: Subscription | undefined;
  private timer: Subscription | undefined;
  private release: (() => void) | undefined;
  readonly parsed = new Set<Subscriber<unknown>>();
  // Most channels never get a raw subscriber or an onSubscribed callback: both are allocated on
  // first use (a Set costs ~180 bytes per idle subscription; see bench/README.md, heap-idle).
  raw: Set<Subscriber<SubscriptionMessage>> = NO_RAW_SUBSCRIBERS;
  private onSubscribed: Array<(e: SubscribedEvent) => void> | undefined;

  constructor(
    private readonly registry: SubscriptionRegistry,
    readonly path: string,
    private readonly auth: AuthProvider,
  ) {}

  get size(): number {
    return this.parsed.size + this.raw.size;
  }

  get isActive(): boolean {
    return this.status === 'active';
  }

  add(subscriber: Subscriber<unknown> | Subscriber<SubscriptionMessage>, raw: boolean, onSubscribed?: (e: SubscribedEvent) => void): void {
    if (raw) {
      if (this.raw === NO_RAW_SUBSCRIBERS) this.raw = new Set();
      this.raw.add(subscriber as Subscriber<SubscriptionMessage>);
    }
    else this.parsed.add(subscriber as Subscriber<unknown>);
    if (onSubscribed) {
      (this.onSubscribed ??= []).push(onSubscribed);
      if (this.status === 'active') onSubscribed({ channel: this.path, resubscribed: false });
    }
    if (this.release === undefined) {
      this.release = this.registry.ctx.connection.retain();
      this.subscribeWhenReady();
    }
  }

  remove(subscriber: Subscriber<unknown> | Subscriber<SubscriptionMessage>, onSubscribed?: (e: SubscribedEvent) => void): void {
    this.parsed.delete(subscriber as Subscriber<unknown>);
    this.raw.delete(subscriber as Subscriber<SubscriptionMessage>);
    if (onSubscribed) {
      const i = this.onSubscribed?.indexOf(onSubscribed) ?? -1;
      if (i >= 0) this.onSubscribed?.splice(i, 1);
    }
    if (this.size === 0 && this.status !== 'ended') void this.end();
  }

  /**
   * Ends the wire subscription (the last local subscriber left, or `unsubscribe(channel)`).
   * Resolves when the server confirmed, or at once when there is nothing to undo on the server.
   */
  end(): Promise<void> {
    const ctx = this.registry.ctx;
    const { status, id, session } = this;
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
    this.id = undefined;
    this.finish(); // after sending: releasing may close an idle connection at once (linger 0)
    return result;
  }

  /** Fails every local subscriber (or completes them, after `close()`) and forgets the channel. */
  fail(error: AppSyncEventsError): void {
    if (this.status === 'ended') return;
    if (this.id !== undefined) this.registry.ctx.router.unregister(this.id, this);
    this.finish();
    const complete = error instanceof ConnectionClosedError;
    for (const s of [...this.parsed, ...this.raw]) (complete ? s.complete() : s.error(error));
    this.parsed.clear();
    this.raw.clear();
  }

  // RouteHandler ------------------------------------------------------------------------------

  onMessage(message: ReceiveMessage): void {
    switch (message.type) {
      case 'data':
        this.deliver(message.event);
        return;
      case 'broadcast_error':
        this.deliverBroadcastError(message.errors);
        return;
      case 'subscribe_success': {
        if (this.status !== 'subscribing') return;
        this.cancelTimer();
        this.status = 'active';
        this.authRetried = false;
        const event = { channel: this.path, resubscribed: this.established > 0 };
        this.established++;
        this.registry.subscribed$.next(event);
        if (this.onSubscribed) for (const cb of [...this.onSubscribed]) cb(event);
        return;
      }
      case 'subscribe_error':
      case 'error': {
        if (this.status !== 'subscribing') return;
        this.cancelTimer();
        if (this.id !== undefined) this.registry.ctx.router.unregister(this.id, this);
        const error = serverError('subscribe', message.errors);
        if (error instanceof UnauthorizedError && !this.authRetried) {
          // Maybe an expired token: try once more with freshly obtained auth.
          this.authRetried = true;
          this.id = undefined;
          this.subscribe(this.session);
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
    this.cancelTimer();
    this.id = undefined;
    if (this.status === 'ended') return;
    if (willRetry) {
      // Keep the local subscribers; subscribe again once the next session is acknowledged.
      this.subscribeWhenReady();
      return;
    }
    this.fail(error);
  }

  // -------------------------------------------------------------------------------------------

  private subscribeWhenReady(): void {
    this.status = 'waiting';
    this.wait = this.registry.ctx.connection.whenReady(
      (session) => {
        this.wait = undefined;
        this.subscribe(session);
      },
      (error) => {
        this.wait = undefined;
        this.fail(error);
      },
    );
  }

  private subscribe(session: Session): void {
    if (this.status === 'ended') return;
    const ctx = this.registry.ctx;
    this.status = 'waiting';
    const channel = this.path;
    this.authSub = resolveAuth(
      this.auth,
      ctx.authRequest('subscribe', channel, () => JSON.stringify({ channel })),
      (auth) => {
        this.authSub = undefined;
        if (this.status !== 'waiting') return;
        if (!session.isOpen || ctx.connection.current !== session) {
          this.subscribeWhenReady(); // the session ended while auth was computed; nothing was sent
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
        this.status = 'subscribing';
        ctx.router.register(id, this);
        this.timer = ctx.scheduler.schedule(() => {
          this.timer = undefined;
          this.onTimeout();
        }, ctx.requestTimeoutMs);
        session.send({ type: 'subscribe', id, channel, authorization: { ...ctx.headers, ...auth } });
      },
      (error) => {
        this.authSub = undefined;
        this.fail(error);
      },
    );
  }

  private onTimeout(): void {
    const { id, session } = this;
    if (this.status !== 'subscribing' || id === undefined) return;
    this.id = undefined;
    // The subscribe may still succeed late: an Unsubscribe takes over the id and undoes it then.
    new Unsubscribe(this.registry.ctx, session, id, true, noop, noop).start();
    this.fail(new TimeoutError('subscribe', this.registry.ctx.requestTimeoutMs));
  }

  private deliver(event: string): void {
    if (this.raw.size > 0) {
      const message: SubscriptionMessage = { type: 'data', channel: this.path, event };
      for (const s of this.raw) s.next(message);
    }
    if (this.parsed.size > 0) {
      let value: unknown;
      try {
        value = JSON.parse(event);
      } catch {
        this.registry.ctx.protocolErrors.next(
          new UnsupportedMessageFormatError(`event on ${this.path} is not valid JSON`, event.length > 200 ? `${event.slice(0, 197)}...` : event),
        );
        return;
      }
      for (const s of this.parsed) s.next(value);
    }
  }

  private deliverBroadcastError(errors: readonly MessageError[]): void {
    const message: SubscriptionMessage = { type: 'broadcast_error', channel: this.path, errors };
    for (const s of this.raw) s.next(message);
    this.registry.broadcastErrors$.next({ channel: this.path, errors });
  }

  private finish(): void {
    this.status = 'ended';
    this.cancelTimer();
    this.wait?.unsubscribe();
    this.wait = undefined;
    this.authSub?.unsubscribe();
    this.authSub = undefined;
    this.registry.forget(this);
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  private cancelTimer(): void {
    this.timer?.unsubscribe();
    this.timer = undefined;
  }
}

const noop = (): void => undefined;

/**
 * An `unsubscribe` in flight for a subscription id. When the subscribe is still pending, it waits
 * for `subscribe_success` before sending (the service ignores an unsubscribe for a pending
 * subscribe), and drops the subscription if the subscribe fails.
 */
class Unsubscribe implements RouteHandler {
  private timer: Subscription | undefined;
  private sent = false;
  // Holds the connection open until the server answered, so that a lazy close (linger 0) cannot
  // cut the unsubscribe short.
  private release: (() => void) | undefined;

  constructor(
    private readonly ctx: OperationContext,
    readonly session: Session,
    private readonly id: string,
    private readonly waitForAck: boolean,
    private readonly resolve: () => void,
    private readonly reject: (e: AppSyncEventsError) => void,
  ) {}

  start(): void {
    this.release = this.ctx.connection.retain();
    this.ctx.router.replace(this.id, this);
    // Waiting for a subscribe reply is bounded too: a reply that never comes must not hold the
    // connection open for ever.
    if (this.waitForAck) this.armTimer();
    else this.send();
  }

  private send(): void {
    this.sent = true;
    this.armTimer();
    if (!this.session.send({ type: 'unsubscribe', id: this.id })) this.done();
  }

  private armTimer(): void {
    this.timer?.unsubscribe();
    this.timer = this.ctx.scheduler.schedule(() => {
      this.timer = undefined;
      this.finish();
      this.reject(new TimeoutError('unsubscribe', this.ctx.requestTimeoutMs));
    }, this.ctx.requestTimeoutMs);
  }

  onMessage(message: ReceiveMessage): void {
    switch (message.type) {
      case 'subscribe_success':
        if (!this.sent) this.send();
        return;
      case 'subscribe_error':
        if (!this.sent) this.done();
        return;
      case 'unsubscribe_success':
        this.done();
        return;
      case 'unsubscribe_error':
      case 'error':
        if (!this.sent) return;
        this.finish();
        this.reject(serverError('unsubscribe', message.errors));
        return;
      default:
        return; // late data for a subscription being ended: dropped by design
    }
  }

  onLost(): void {
    // The socket is gone, and with it the server-side subscription.
    this.finish();
    this.resolve();
  }

  private done(): void {
    this.finish();
    this.resolve();
  }

  private finish(): void {
    this.timer?.unsubscribe();
    this.timer = undefined;
    this.ctx.router.unregister(this.id, this);
    const release = this.release;
    this.release = undefined;
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
  private readonly channels = new Map<string, ChannelSubscription>();
  /** Each (re)subscription confirmed by the server (hot). */
  readonly subscribed$ = new Subject<SubscribedEvent>();
  /** Each `broadcast_error` (hot). */
  readonly broadcastErrors$ = new Subject<BroadcastErrorEvent>();

  constructor(readonly ctx: OperationContext) {}

  /** Parsed events of a channel (cold; shares the wire subscription). */
  subscribe<T>(channel: string, options: SubscribeOptions = {}): Observable<T> {
    return this.observe<T>(channel, options, false);
  }

  /** Raw `data` and `broadcast_error` messages of a channel (cold; shares the wire subscription). */
  subscribeMessages(channel: string, options: SubscribeOptions = {}): Observable<SubscriptionMessage> {
    return this.observe<SubscriptionMessage>(channel, options, true);
  }

  /** Ends the wire subscription of a channel and completes its local subscribers. */
  unsubscribe(channel: string): Promise<void> {
    const check = parseChannel(channel, { allowWildcard: true });
    if (!check.ok) return Promise.reject(new ValidationError('INVALID_CHANNEL', check.reason));
    const entry = this.channels.get(check.channel.path);
    if (entry === undefined) return Promise.reject(new ChannelNotSubscribedError(check.channel.path));
    const subscribers = [...entry.parsed, ...entry.raw];
    const result = entry.end();
    for (const s of subscribers) s.complete();
    return result;
  }

  /** Channels with a wire subscription (normalised), live or being established. */
  channelsInUse(): string[] {
    return [...this.channels.keys()];
  }

  /** Completes every local subscriber without sending anything (the socket is about to close). */
  closeAll(): void {
    const error = new ConnectionClosedError('client');
    for (const entry of [...this.channels.values()]) entry.fail(error);
    this.subscribed$.complete();
    this.broadcastErrors$.complete();
  }

  /** @internal */
  forget(entry: ChannelSubscription): void {
    if (this.channels.get(entry.path) === entry) this.channels.delete(entry.path);
  }

  private observe<T>(channel: string, options: SubscribeOptions, raw: boolean): Observable<T> {
    return new Observable<T>((subscriber) => {
      const check = parseChannel(channel, { allowWildcard: true });
      if (!check.ok) {
        subscriber.error(new ValidationError('INVALID_CHANNEL', check.reason));
        return undefined;
      }
      if (this.ctx.connection.isClosed) {
        subscriber.error(new ConnectionClosedError('subscribe'));
        return undefined;
      }
      const path = check.channel.path;
      let entry = this.channels.get(path);
      if (entry === undefined) {
        entry = new ChannelSubscription(this, path, options.auth ?? this.ctx.auth);
        this.channels.set(path, entry);
      }
      const own = entry;
      const target = subscriber as unknown as Subscriber<unknown>;
      own.add(target, raw, options.onSubscribed);
      return () => own.remove(target, options.onSubscribed);
    });
  }
}
