import type { Subscriber, Subscription } from 'rxjs';
import { Observable, Subject, from } from '../rx';
import type { AuthProvider } from '../auth/types';
import {
  AppSyncEventsError,
  ChannelNotSubscribedError,
  ConnectionClosedError,
  TimeoutError,
  UnsupportedMessageFormatError,
  excerpt,
  serverError,
} from '../errors';
import type { MessageError, ReceiveMessage, SubscriptionMessage } from '../protocol/messages';
import { Operation, type OperationContext } from './context';
import { requireChannel } from '../protocol/channel';
import { backoffDelay, retries } from '../connection/retry';

/**
 * Options of `subscribe` and `subscribeMessages`.
 *
 * @example
 * ```ts
 * client
 *   .subscribe('/default/chat', { onSubscribed: ({ resubscribed }) => resubscribed && console.log('reconnected: reload what was missed') })
 *   .subscribe((event) => console.log(event));
 * ```
 */
export interface SubscribeOptions {
  /**
   * Authorization for this channel's `subscribe` frames, instead of the client's. Used only by the
   * subscriber that creates the wire subscription (others share it).
   */
  readonly auth?: AuthProvider;
  /**
   * Called each time the wire subscription is established: first with `resubscribed: false` (also
   * for a subscriber that joined while its channel was being subscribed again after a
   * reconnection), then after every reconnection with `resubscribed: true`. AppSync does not replay events missed while
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

/**
 * Where a channel subscription is. `New` to `Active` establish it; `Closing` and `Unsubscribing`
 * undo it on the server after the local subscribers are gone; a status below `Closing` means it
 * still serves local subscribers.
 */
const enum Status {
  New,
  /** Waiting for an acknowledged session, or for the `subscribe` authorization. */
  Waiting,
  /** `subscribe` sent, reply pending. */
  Subscribing,
  Active,
  /** The subscribe reply is pending, and the `unsubscribe` must wait for it (the service ignores an unsubscribe for a pending subscribe). */
  Closing,
  /** `unsubscribe` sent, reply pending. */
  Unsubscribing,
  Ended,
}

type Callback = (event: SubscribedEvent) => void;

/**
 * Several local subscribers of one kind for one channel: a `Set` (adding and removing cost O(1),
 * however many there are) with the array a delivery goes through, made on the first delivery
 * after a change. A delivery goes to the subscribers there were when it started (like an RxJS
 * `Subject`), even if one joins or leaves meanwhile (a `take(1)` + `repeat()` subscriber joins
 * again from inside its delivery).
 */
class Subscribers extends Set<Subscriber<unknown>> {
  _list: Subscriber<unknown>[] | undefined;
}

/**
 * The local subscribers of one kind for one channel. Almost every channel has exactly one, so one
 * subscriber is held as is, and a {@link Subscribers} set only for a second.
 */
type Holder = Subscriber<unknown> | Subscribers | undefined;

function add(holder: Holder, subscriber: Subscriber<unknown>): Holder {
  if (!holder) return subscriber;
  const set = holder instanceof Subscribers ? holder : new Subscribers([holder]);
  set._list = undefined;
  return set.add(subscriber);
}

function remove(holder: Holder, subscriber: Subscriber<unknown>): Holder {
  if (!(holder instanceof Subscribers)) return holder === subscriber ? undefined : holder;
  holder._list = undefined;
  holder.delete(subscriber);
  return holder.size ? holder : undefined;
}

/** The subscribers of a holder, as an array that later changes leave alone. */
function list(holder: Holder): readonly Subscriber<unknown>[] {
  // Not `??=` (nor `&&=` in `_onMessage`): ES2020 has neither, and their lowering costs a temporary.
  return holder instanceof Subscribers ? (holder._list ?? (holder._list = [...holder])) : holder ? [holder] : [];
}

/** Who a delivery goes to: the one subscriber, or the list of the moment (see {@link Subscribers}). */
type Targets = Subscriber<unknown> | readonly Subscriber<unknown>[] | undefined;

function targets(holder: Holder): Targets {
  return holder instanceof Subscribers ? list(holder) : holder;
}

/** Delivers a value to the targets taken when the delivery started (hot path). */
function emit(to: Targets, value: unknown): void {
  if (to instanceof Array) for (let i = 0; i < to.length; i++) to[i]!.next(value);
  else to?.next(value);
}

/**
 * One wire subscription, shared by every local subscriber of its channel (ref-counted). It
 * subscribes on the current session, resubscribes after a reconnection, and when the last local
 * subscriber leaves sends `unsubscribe` — only after `subscribe_success`, only on the session that
 * carried it. It holds the connection ({@link OperationContext._acquire}) from its first subscriber
 * until the server answered the `unsubscribe`, so that a lazy close (linger 0) cannot cut it short.
 */
class ChannelSubscription extends Operation {
  private _status = Status.New;
  /** How many times the server confirmed it (the first `subscribe_success`, then each resubscription). */
  private _established = 0;
  private _parsed: Holder;
  private _raw: Holder;
  /**
   * The `onSubscribed` callbacks, as subscribers: like a throwing `next` handler, a callback that
   * throws (inside the socket's message listener) is rethrown asynchronously through RxJS's
   * unhandled-error hook, never into the listener or the other callbacks. Most channels never get
   * a callback: the subject is made on first use.
   */
  private _callbacks: Subject<SubscribedEvent> | undefined;
  /** Gets the outcome of the `unsubscribe`: nothing, or why it failed. */
  private _settle: ((error?: AppSyncEventsError) => void) | undefined;
  /** Resubscriptions in a row whose auth provider failed (set only once one did). */
  private _authFailures: number | undefined;

  constructor(
    private readonly _registry: SubscriptionRegistry,
    path: string,
    options: SubscribeOptions,
  ) {
    super(_registry._ctx, path, options, 'subscribe');
  }

  /** Adds a local subscriber, and its `onSubscribed` callback; returns the callback's subscription (ends with the subscriber). */
  _add(subscriber: Subscriber<unknown>, raw: boolean, onSubscribed?: Callback): Subscription | undefined {
    let callback: Subscription | undefined;
    if (raw) this._raw = add(this._raw, subscriber);
    else this._parsed = add(this._parsed, subscriber);
    if (onSubscribed) {
      // Each subscriber's first call says `resubscribed: false`, also for one that joined while the
      // channel was being subscribed again after a reconnection (it missed nothing). One that joins
      // a live subscription is told at once, and not again of the same confirmation (when it joins
      // from an observer of `subscribed$`, the callbacks are told after it joined).
      const active = this._status === Status.Active;
      const joined = active ? this._established : -1;
      let told = active;
      if (active) from([{ channel: this._channel, resubscribed: false }]).subscribe(onSubscribed);
      callback = (this._callbacks ?? (this._callbacks = new Subject())).subscribe((event) => {
        if (this._established === joined) return;
        const first = !told;
        told = true;
        onSubscribed(first ? { ...event, resubscribed: false } : event);
      });
    }
    if (!this._status) {
      // New: the first local subscriber starts it.
      this._ctx._acquire();
      this._whenReady();
    } else if (this._status === Status.Waiting) {
      // Joining from an observer of a terminal `closed`: open a new connection for it (and the
      // waiting subscribers), as for a new channel, rather than share the failure about to be told.
      this._ctx.connection._wake();
    }
    return callback;
  }

  _remove(subscriber: Subscriber<unknown>): void {
    this._parsed = remove(this._parsed, subscriber);
    this._raw = remove(this._raw, subscriber);
    if (!this._parsed && !this._raw && this._status < Status.Closing) {
      // Nobody awaits an implicit unsubscribe (a teardown): a failure is reported, never left as an
      // unhandled rejection.
      this._end((error) => error && this._ctx.protocolErrors.next(error));
    }
  }

  /**
   * Ends the wire subscription (the last local subscriber left, `unsubscribe(channel)`, or a
   * subscribe timeout): sends `unsubscribe` when there is something to undo on the server, at once
   * or after the pending subscribe reply. New local subscribers of the channel get a new one.
   */
  _end(settle?: (error?: AppSyncEventsError) => void): void {
    const status = this._status;
    this._settle = settle;
    this._registry._forget(this);
    if (status < Status.Subscribing) return this._close();
    // Waiting for the subscribe reply is bounded too: a reply that never comes must not hold the
    // connection open for ever. Active, or Closing with the subscribe just confirmed: unsubscribe.
    this._status = status > Status.Subscribing ? Status.Unsubscribing : Status.Closing;
    this._arm(true);
    if (status > Status.Subscribing && !this._session.send({ type: 'unsubscribe', id: this._id! })) this._close();
  }

  /** Errors every local subscriber, or completes them (no error, or after `close()`). */
  _drop(error?: AppSyncEventsError): void {
    const complete = !error || error instanceof ConnectionClosedError;
    // Each subscriber's teardown ({@link _remove}) takes it out of its holder as it ends: the
    // subscription is ending already (Closing or later), so that is all the teardown does; the
    // lists visited here are not changed by it.
    for (const holder of [this._parsed, this._raw]) for (const subscriber of list(holder)) (complete ? subscriber.complete() : subscriber.error(error));
  }

  /**
   * The one cleanup path: forgets the subscription, releases the connection, settles the
   * `unsubscribe` and ends the local subscribers (with `error`, when it is why the subscription ends).
   */
  _close(error?: AppSyncEventsError): void {
    // Once only: an application's callback may end the subscription while a lost session is being
    // reported, before the router tells it of the loss (it would release the connection twice).
    if (this._status === Status.Ended) return;
    this._status = Status.Ended;
    this._reset();
    this._registry._forget(this);
    this._ctx._release();
    this._settle?.(error);
    this._drop(error);
  }

  _ended(): boolean {
    return this._status === Status.Ended;
  }

  // RouteHandler ------------------------------------------------------------------------------

  _onMessage(message: ReceiveMessage): void {
    const status = this._status;
    const { type } = message;
    const channel = this._channel;
    if (type === 'data') {
      // Nobody to deliver to once the subscription is ending.
      const { event } = message;
      // Both kinds are taken before either is delivered to: a subscriber that a raw subscriber adds
      // from its `next` gets the next event, not this one.
      const parsed = targets(this._parsed);
      if (this._raw) emit(targets(this._raw), { type, channel, event });
      if (parsed) {
        let value: unknown;
        try {
          value = JSON.parse(event);
        } catch {
          this._ctx.protocolErrors.next(new UnsupportedMessageFormatError(`event on ${channel} is not JSON`, excerpt(event)));
          return;
        }
        emit(parsed, value);
      }
    } else if (type === 'broadcast_error') {
      if (status < Status.Closing) {
        const { errors } = message;
        emit(targets(this._raw), { type, channel, errors });
        this._registry.broadcastErrors$.next({ channel, errors });
      }
    } else {
      // A reply to the pending step: its success, or its failure (`subscribe_error`,
      // `unsubscribe_error` or `error`, with `errors`). Other frames are dropped.
      const ok = type === (status === Status.Unsubscribing ? 'unsubscribe_success' : 'subscribe_success');
      const { errors } = message as { errors?: readonly MessageError[] };
      if (status === Status.Active) {
        // No step is pending: an error, or an `unsubscribe_success` nobody asked for, is not defined
        // for a live subscription. Reported, never swallowed; the subscription carries on.
        if (errors || type === 'unsubscribe_success') {
          this._ctx.protocolErrors.next(
            errors ? serverError(type === 'unsubscribe_error' ? 'unsubscribe' : 'subscribe', errors) : new UnsupportedMessageFormatError(`unsolicited unsubscribe_success for ${channel}`, excerpt(JSON.stringify(message))),
          );
        }
        return;
      }
      if (!ok && !errors) return;
      if (status === Status.Unsubscribing) {
        this._close(errors && serverError('unsubscribe', errors));
      } else if (status === Status.Closing) {
        // The subscribe reply came after all: a success is undone, a failure left nothing to undo.
        if (ok) this._end(this._settle);
        else this._close();
      } else if (status === Status.Subscribing) {
        if (!ok) return this._refused(errors!);
        this._arm();
        this._status = Status.Active;
        this._authRetried = false;
        if (this._authFailures) this._authFailures = 0;
        // Counted before anyone is told: a subscriber joining from an observer is told of this one at once.
        const event = { channel, resubscribed: this._established++ > 0 };
        this._registry.subscribed$.next(event);
        this._callbacks?.next(event);
      }
    }
  }

  _onLost(error: AppSyncEventsError, willRetry: boolean): void {
    const live = this._status < Status.Closing;
    if (live && willRetry) {
      // Keep the local subscribers; subscribe again once the next session is acknowledged.
      this._whenReady();
    } else {
      // An unsubscribe in flight is done: the socket is gone, and with it the server-side subscription.
      this._close(live ? error : undefined);
    }
  }

  /** A subscribe or unsubscribe reply did not come in time. */
  _onTimeout(): void {
    if (this._status === Status.Subscribing) {
      // The subscribe may still succeed late: like a teardown, wait for its reply and undo it then.
      this._end();
      this._drop(new TimeoutError('subscribe', this._timeoutMs));
    } else this._close(new TimeoutError('unsubscribe', this._timeoutMs));
  }

  /**
   * The auth provider failed for a `subscribe`. A first subscription fails with the error (the
   * application is there to see it). A resubscription after a reconnection follows the client's
   * reconnection policy instead, as the connection's own provider call does: a transient failure
   * (`AUTH_PROVIDER_FAILED`) is reported on `protocolErrors$` and tried again after a backoff delay,
   * up to `maxAttempts` in a row and unless `shouldRetry` says no; the local subscribers stay.
   */
  override _authFailed(error: AppSyncEventsError): void {
    // The provider (application code) may have ended the subscription before it failed.
    if (this._ended()) return;
    const ctx = this._ctx;
    const retry = ctx.retry;
    const attempt = (this._authFailures ?? 0) + 1;
    if (!this._established || !retries(retry, error, attempt)) return this._close(error);
    this._authFailures = attempt;
    ctx.protocolErrors.next(error);
    // Unless an observer of `protocolErrors$` ended it just now: it waits, not routed (a session
    // lost meanwhile does not concern it; the next attempt takes whatever session there is then),
    // in `_authorizing`, so that `close()` reaches it; an unsubscribe or the last local subscriber
    // leaving cancels the delay ({@link _reset}).
    if (this._status === Status.Waiting) {
      this._pending = ctx.scheduler.schedule(() => this._whenReady(), backoffDelay(retry, attempt));
      ctx._authorizing.add(this);
    }
  }

  // -------------------------------------------------------------------------------------------

  /** Subscribes on the next acknowledged session (at once if there is one), with fresh authorization; a previous attempt is abandoned. */
  override _whenReady(): void {
    this._status = Status.Waiting;
    this._reset();
    super._whenReady();
  }

  /**
   * The `subscribe` frame is about to be sent: its reply is pending from now on, with its deadline.
   * Not before: a subscription that application code ends on the way (its auth provider, a user's
   * `generateId`) is still `Waiting`, so it ends at once, with nothing to undo on the server.
   */
  override _sending(): void {
    this._status = Status.Subscribing;
    this._arm(true);
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
  subscribe<T>(channel: string, options?: SubscribeOptions): Observable<T> {
    return this._observe(channel, options, false);
  }

  /** Raw `data` and `broadcast_error` messages of a channel (cold; shares the wire subscription). */
  subscribeMessages(channel: string, options?: SubscribeOptions): Observable<SubscriptionMessage> {
    return this._observe(channel, options, true);
  }

  /** Ends the wire subscription of a channel and completes its local subscribers. */
  unsubscribe(channel: string): Promise<void> {
    // A throw in here rejects.
    return new Promise((resolve, reject) => {
      const path = requireChannel(channel, { allowWildcard: true }).path;
      const entry = this._channels.get(path);
      if (!entry) throw new ChannelNotSubscribedError(path);
      entry._end((error) => (error ? reject(error) : resolve()));
      entry._drop();
    });
  }

  /** Completes every local subscriber without sending anything (the socket is about to close). */
  closeAll(): void {
    const error = new ConnectionClosedError('client');
    this._ctx._closed = true;
    for (const entry of this._channels.values()) entry._close(error); // each deletes itself: safe for a Map
    this.subscribed$.complete();
    this.broadcastErrors$.complete();
  }

  /** @internal */
  _forget(entry: ChannelSubscription): void {
    if (this._channels.get(entry._channel) === entry) this._channels.delete(entry._channel);
  }

  private _observe<T>(channel: string, options: SubscribeOptions = {}, raw: boolean): Observable<T> {
    const { onSubscribed } = options;
    // A throw in here reaches the subscriber as an error.
    return new Observable<T>((target) => {
      const path = requireChannel(channel, { allowWildcard: true }).path;
      if (this._ctx._closed) throw new ConnectionClosedError('subscribe');
      const entry = this._channels.get(path) ?? new ChannelSubscription(this, path, options);
      this._channels.set(path, entry);
      target.add(entry._add(target as Subscriber<unknown>, raw, onSubscribed));
      return () => entry._remove(target as Subscriber<unknown>);
    });
  }
}
