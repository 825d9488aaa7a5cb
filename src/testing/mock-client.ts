import { defer, filter, firstValueFrom, map, NEVER, Observable, of, race, Subject, throwError, timeout } from 'rxjs';
import type { EventsClient } from '../client';
import type { ConnectionState } from '../connection/state';
import { ChannelNotSubscribedError, ConnectionClosedError, PublishOutcomeUnknownError, TimeoutError, ValidationError, type AppSyncEventsError } from '../errors';
import { numberOptions, timeoutOption } from '../connection/retry';
import { preparePublish, type PublishResult } from '../operations/events';
import type { PublishOptions } from '../operations/publish';
import type { BroadcastErrorEvent, SubscribedEvent, SubscribeOptions } from '../operations/subscriptions';
import { parseChannel } from '../protocol/channel';
import type { ReceiveMessage, SubscriptionMessage } from '../protocol/messages';

/**
 * What a {@link createMockEventsClient} does, all optional. Observables built with a
 * `TestScheduler`'s `cold()`/`hot()` make the whole thing run in virtual time.
 *
 * @example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * import { createMockEventsClient } from 'appsync-events-rx/testing';
 *
 * new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
 *   const client = createMockEventsClient({ channels: { '/default/orders': cold('-a-b', { a: { id: 1 }, b: { id: 2 } }) } });
 *   expectObservable(client.subscribe('/default/orders')).toBe('-a-b', { a: { id: 1 }, b: { id: 2 } });
 * });
 * ```
 */
export interface MockEventsClientOptions {
  /**
   * What the subscribers of each channel receive, keyed by channel as the code under test subscribes
   * to it (normalised: `default/a/` and `/default/a` are the same key; wildcards are keys of their
   * own, `/default/*`). Each local subscriber subscribes to the Observable on its own. A channel
   * without an entry never emits.
   */
  readonly channels?: Readonly<Record<string, Observable<unknown>>>;
  /**
   * The result of a publish, given the publish's own options (`idempotent`, `auth`, `timeoutMs`)
   * to assert on. Its `timeoutMs` (else `requestTimeoutMs`) applies to the whole result here (the
   * real client times each request of five events): no result within it fails the publish with
   * `TimeoutError`. A publish still waiting for its result at `close()` fails with
   * `PublishOutcomeUnknownError`, as one in flight does in the real client (which, for a publish
   * of more than five events failing after an answered request, fails with a
   * `PartialPublishError` instead: return `throwError(() => new PartialPublishError(…))` here to
   * test that path; the mock never makes one). The mock does not pace
   * publishes like the real client's `publishRateLimit` (more than 125 events take it at least a
   * second longer). @default every event successful, synchronously
   */
  readonly publish?: (channel: string, events: readonly unknown[], options: PublishOptions) => Observable<PublishResult>;
  /**
   * What `connectionState$` emits (to each of its subscribers) until `close()`, which then emits
   * `{ status: 'closed' }` and completes it, like the real client. This Observable completing does
   * not complete `connectionState$`. `toJSON().status` is the status of the latest state it
   * delivered to any subscriber (`idle` before the first), or `closed` after `close()`.
   * @default one `connected` state (and `toJSON().status` is `connected` from the start)
   */
  readonly connectionState?: Observable<ConnectionState>;
  /** The time a publish result may take without its own `timeoutMs`, like the client's option. @default 15000 */
  readonly requestTimeoutMs?: number;
}

/**
 * A call the code under test made, recorded for assertions.
 *
 * @example
 * ```ts
 * import { createMockEventsClient } from 'appsync-events-rx/testing';
 * const client = createMockEventsClient();
 * client.subscribe('/default/orders').subscribe(); // what the code under test would do
 * client.publish('/default/acks', [{ ok: true }]).subscribe();
 * expect(client.calls).toEqual([{ op: 'subscribe', channel: '/default/orders' }, { op: 'publish', channel: '/default/acks', events: [{ ok: true }] }]);
 * ```
 */
export type MockEventsClientCall =
  | { readonly op: 'subscribe'; readonly channel: string }
  | { readonly op: 'unsubscribe'; readonly channel: string }
  | { readonly op: 'publish'; readonly channel: string; readonly events: readonly unknown[] }
  | { readonly op: 'connect' }
  | { readonly op: 'close' };

/**
 * An {@link EventsClient} without a network, for marble-testing code that depends on one.
 *
 * @example
 * ```ts
 * import { createMockEventsClient, type MockEventsClient } from 'appsync-events-rx/testing';
 * const client: MockEventsClient = createMockEventsClient();
 * client.publish('/default/a', [1]).subscribe(); // what the code under test would do
 * expect(client.calls).toContainEqual({ op: 'publish', channel: '/default/a', events: [1] });
 * ```
 */
export interface MockEventsClient extends EventsClient {
  /** Every call, in order. */
  readonly calls: readonly MockEventsClientCall[];
  /** Local subscribers currently sharing a channel's subscription (normalised key). */
  subscriberCount(channel: string): number;
}

/**
 * Creates an {@link EventsClient} stand-in for unit and marble tests of code that uses the SDK (an
 * Angular service, a Node pipeline). It validates channels and events exactly like the real client
 * (same typed errors), serves each channel from the Observable you give, answers publishes with
 * the result you choose, and records every call. Nothing is opened; for protocol-level tests use
 * `startEventApi` instead.
 *
 * Like the real client, the local subscribers of a channel share one subscription, which the mock
 * confirms as soon as the first one subscribes: `subscribed$` emits then (once per shared
 * subscription), and each subscriber's `onSubscribed` is called then, or at once for a subscriber
 * that joins, always with `resubscribed: false` (the mock never reconnects). `connect()` resolves
 * at the first `connected` state of `connectionState` and rejects with the error of a `closed` one.
 * `close()` completes the subscribers and every stream (`connectionState$` after a last
 * `{ status: 'closed' }`) and fails the publishes still waiting for their result; afterwards the
 * streams only complete, and `subscribe`/`publish` fail with `ConnectionClosedError` (after the
 * usual validation). `messages$` and `protocolErrors$` never emit: there are no frames.
 *
 * @example
 * ```ts
 * import { map } from 'rxjs';
 * import { TestScheduler } from 'rxjs/testing';
 * import { createMockEventsClient } from 'appsync-events-rx/testing';
 *
 * new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, expectObservable }) => {
 *   const client = createMockEventsClient({ channels: { '/default/prices': cold('-a-b', { a: { p: 1 }, b: { p: 2 } }) } });
 *   const doubled = client.subscribe<{ p: number }>('/default/prices').pipe(map((x) => x.p * 2));
 *   expectObservable(doubled).toBe('-a-b', { a: 2, b: 4 });
 * });
 * ```
 */
export function createMockEventsClient(options: MockEventsClientOptions = {}): MockEventsClient {
  const calls: MockEventsClientCall[] = [];
  const channels = new Map<string, MockChannel>();
  // The client's hot streams, as in the real client: Subjects, completed by close(). Nothing is
  // ever received, so messages$, protocolErrors$ and broadcastErrors$ only complete.
  const messages$ = new Subject<ReceiveMessage>();
  const protocolErrors$ = new Subject<AppSyncEventsError>();
  const subscribed$ = new Subject<SubscribedEvent>();
  const broadcastErrors$ = new Subject<BroadcastErrorEvent>();
  /** Emits `{ status: 'closed' }` then completes, at close(): the end of every `connectionState$` subscriber. */
  const closing$ = new Subject<ConnectionState>();
  let isClosed = false;
  /** What `toJSON()` reports: the latest state delivered on `connectionState$`. */
  let status: ConnectionState['status'] = options.connectionState ? 'idle' : 'connected';
  const sources = new Map<string, Observable<unknown>>();
  for (const [key, source] of Object.entries(options.channels ?? {})) {
    const check = parseChannel(key, { allowWildcard: true });
    if (!check.ok) throw new ValidationError('INVALID_CHANNEL', `createMockEventsClient: ${check.reason}`);
    sources.set(check.channel.path, source);
  }
  const states = options.connectionState ?? of<ConnectionState>({ status: 'connected', connectionTimeoutMs: 300_000 });
  const { requestTimeoutMs } = numberOptions(options, [['requestTimeoutMs', 15_000, 0, true]], 'createMockEventsClient: ', true) as { requestTimeoutMs: number };

  const connectionState$ = new Observable<ConnectionState>((subscriber) => {
    // The real client's state is a BehaviorSubject, completed by close(): a late subscriber gets
    // no value, only the completion.
    if (isClosed) return subscriber.complete();
    closing$.subscribe(subscriber);
    // Only close() completes it, as in the real client: the given states ending (the default
    // `of(connected)` does at once) does not, so that its subscribers still see `closed`.
    if (!subscriber.closed) {
      subscriber.add(
        states.subscribe({
          next: (state) => {
            status = state.status;
            subscriber.next(state);
          },
          error: (error: unknown) => subscriber.error(error),
        }),
      );
    }
    return undefined;
  });

  const observe = (channel: string, subscribeOptions: SubscribeOptions | undefined): Observable<unknown> =>
    // A throw in here reaches the subscriber as an error.
    new Observable<unknown>((subscriber) => {
      // The real client's order: the channel is checked before the client's state.
      const check = parseChannel(channel, { allowWildcard: true });
      if (!check.ok) throw new ValidationError('INVALID_CHANNEL', check.reason);
      if (isClosed) throw new ConnectionClosedError('subscribe');
      const path = check.channel.path;
      calls.push({ op: 'subscribe', channel: path });
      // Local subscribers of a channel share one (pretend) wire subscription, as in the real
      // client: the first one starts it, and it is confirmed at once.
      let entry = channels.get(path);
      const starts = !entry;
      if (!entry) channels.set(path, (entry = { subscribers: 0, end$: new Subject<void>() }));
      const shared = entry;
      shared.subscribers++;
      subscriber.add(() => {
        if (--shared.subscribers === 0 && channels.get(path) === shared) channels.delete(path);
      });
      // First: an observer of subscribed$ or onSubscribed that calls unsubscribe(channel) or
      // close() ends this subscriber too.
      subscriber.add(shared.end$.subscribe(() => subscriber.complete()));
      const event: SubscribedEvent = { channel: path, resubscribed: false };
      // Once per wire subscription, when the server confirms it (here: now), as in the real client.
      if (starts) subscribed$.next(event);
      // Each subscriber's callback: at the confirmation, or at once when it joins a confirmed
      // channel (every channel is confirmed here). Called as the real client calls it, as a
      // subscriber: a throw is reported through RxJS's `config.onUnhandledError`, never to the
      // subscriber. The mock never reconnects, so `resubscribed` is always false.
      const onSubscribed = subscribeOptions?.onSubscribed;
      if (onSubscribed && !subscriber.closed) of(event).subscribe(onSubscribed);
      // Every local subscriber gets its own subscription to the channel's Observable.
      if (!subscriber.closed) (sources.get(path) ?? NEVER).subscribe(subscriber);
      return undefined;
    });

  const publish = (channel: string, events: readonly unknown[], publishOptions?: PublishOptions): Observable<PublishResult> =>
    defer(() => {
      // The real client's validation and errors, in its order, before the client's state is looked
      // at (a bad channel, event or timeout fails as such even after close()).
      const prepared = preparePublish(channel, events);
      if (isClosed) throw new ConnectionClosedError('publish');
      const timeoutMs = timeoutOption(publishOptions?.timeoutMs, requestTimeoutMs);
      calls.push({ op: 'publish', channel: prepared.channel, events });
      const result = options.publish ? options.publish(prepared.channel, events, publishOptions ?? {}) : of({ successful: events.map((_, i) => i), failed: [] });
      const closed = new PublishOutcomeUnknownError(prepared.channel, events.map((_, i) => i), new ConnectionClosedError('client'));
      return race(
        result.pipe(timeout({ first: timeoutMs, with: () => throwError(() => new TimeoutError('publish', timeoutMs)) })),
        // close() before the result: its outcome is unknown, as for a request in flight in the real client.
        closing$.pipe(map(() => { throw closed; })),
      );
    });

  return {
    calls,
    subscriberCount: (channel) => {
      const check = parseChannel(channel, { allowWildcard: true });
      return check.ok ? (channels.get(check.channel.path)?.subscribers ?? 0) : 0;
    },
    connectionState$,
    messages$: messages$.asObservable(),
    protocolErrors$: protocolErrors$.asObservable(),
    subscribed$: subscribed$.asObservable(),
    broadcastErrors$: broadcastErrors$.asObservable(),
    connect: () => {
      calls.push({ op: 'connect' });
      // The real connect() waits for the connection: it resolves at `connected`, and fails with the
      // error of a terminal failure, or with ConnectionClosedError('client') once closed.
      if (isClosed) return Promise.reject(new ConnectionClosedError('client'));
      return firstValueFrom(
        connectionState$.pipe(
          filter((state) => state.status === 'connected' || state.status === 'closed'),
          map((state) => {
            if (state.status === 'closed') throw state.error ?? new ConnectionClosedError('client');
            return state;
          }),
        ),
      );
    },
    subscribe: <T>(channel: string, subscribeOptions?: SubscribeOptions) => observe(channel, subscribeOptions) as Observable<T>,
    subscribeMessages: (channel: string, subscribeOptions?: SubscribeOptions) => {
      const check = parseChannel(channel, { allowWildcard: true });
      const path = check.ok ? check.channel.path : channel; // an invalid channel errors in observe
      return observe(channel, subscribeOptions).pipe(map((value): SubscriptionMessage => ({ type: 'data', channel: path, event: JSON.stringify(value) })));
    },
    unsubscribe: (channel: string) => {
      const check = parseChannel(channel, { allowWildcard: true });
      if (!check.ok) return Promise.reject(new ValidationError('INVALID_CHANNEL', check.reason));
      const path = check.channel.path;
      const entry = channels.get(path);
      if (!entry) return Promise.reject(new ChannelNotSubscribedError(path));
      calls.push({ op: 'unsubscribe', channel: path });
      // Forgotten first, as in the real client: a subscriber that subscribes again meanwhile (a
      // `repeat()`) starts a new wire subscription.
      channels.delete(path);
      entry.end$.next();
      return Promise.resolve();
    },
    publish,
    close: () => {
      if (isClosed) return;
      // First, as in the real client: a `repeat()`-ed subscriber completed below cannot subscribe again.
      isClosed = true;
      calls.push({ op: 'close' });
      // The real client's order: the channel subscribers complete, then subscribed$ and
      // broadcastErrors$; the state goes to `closed`, then messages$, protocolErrors$ and
      // connectionState$ complete.
      for (const [path, entry] of channels) {
        channels.delete(path);
        entry.end$.next();
      }
      subscribed$.complete();
      broadcastErrors$.complete();
      closing$.next({ status: 'closed' });
      messages$.complete();
      protocolErrors$.complete();
      closing$.complete();
    },
    toJSON: () => ({ httpEndpoint: 'mock://appsync-events-rx/event', realtimeEndpoint: 'mock://appsync-events-rx/event/realtime', status: isClosed ? 'closed' : status }),
  };
}

/** One channel's (pretend) wire subscription: how many local subscribers share it, and what ends them all. */
interface MockChannel {
  subscribers: number;
  readonly end$: Subject<void>;
}
