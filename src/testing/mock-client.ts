import { defer, finalize, map, NEVER, of, Subject, takeUntil, type Observable } from 'rxjs';
import type { EventsClient } from '../client';
import type { ConnectionState } from '../connection/state';
import { ChannelNotSubscribedError, ConnectionClosedError, ValidationError } from '../errors';
import { preparePublish, type PublishResult } from '../operations/events';
import type { SubscribedEvent } from '../operations/subscriptions';
import { parseChannel } from '../protocol/channel';
import type { SubscriptionMessage } from '../protocol/messages';

/**
 * What a {@link createMockEventsClient} does, all optional. Observables built with a
 * `TestScheduler`'s `cold()`/`hot()` make the whole thing run in virtual time.
 *
 * @example
 * ```ts
 * import { createMockEventsClient } from 'appsync-events-rx/testing';
 * const client = createMockEventsClient({ channels: { '/default/orders': cold('-a-b', { a: order1, b: order2 }) } });
 * ```
 */
export interface MockEventsClientOptions {
  /**
   * What the subscribers of each channel receive, keyed by channel as the code under test subscribes
   * to it (normalised: `default/a/` and `/default/a` are the same key; wildcards are keys of their
   * own, `/default/*`). A channel without an entry never emits.
   */
  readonly channels?: Readonly<Record<string, Observable<unknown>>>;
  /**
   * The result of a publish. @default every event successful, synchronously
   */
  readonly publish?: (channel: string, events: readonly unknown[]) => Observable<PublishResult>;
  /** What `connectionState$` emits. @default one `connected` state */
  readonly connectionState?: Observable<ConnectionState>;
}

/**
 * A call the code under test made, recorded for assertions.
 *
 * @example
 * ```ts
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
 * const client: MockEventsClient = createMockEventsClient();
 * service(client).run();
 * expect(client.calls).toContainEqual({ op: 'publish', channel: '/default/a', events: [1] });
 * ```
 */
export interface MockEventsClient extends EventsClient {
  /** Every call, in order. */
  readonly calls: readonly MockEventsClientCall[];
  /** Local subscribers currently subscribed to a channel (normalised key). */
  subscriberCount(channel: string): number;
}

/**
 * Creates an {@link EventsClient} stand-in for unit and marble tests of code that uses the SDK (an
 * Angular service, a Node pipeline). It validates channels and events exactly like the real client
 * (same typed errors), serves each channel from the Observable you give, answers publishes with
 * the result you choose, and records every call. Nothing is opened; for protocol-level tests use
 * `startEventApi` instead.
 *
 * @example
 * ```ts
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
  const counts = new Map<string, number>();
  const ended = new Map<string, Subject<void>>();
  const closed$ = new Subject<void>();
  const subscribed$ = new Subject<SubscribedEvent>();
  let isClosed = false;
  const sources = new Map<string, Observable<unknown>>();
  for (const [key, source] of Object.entries(options.channels ?? {})) {
    const check = parseChannel(key, { allowWildcard: true });
    if (!check.ok) throw new ValidationError('INVALID_CHANNEL', `createMockEventsClient: ${check.reason}`);
    sources.set(check.channel.path, source);
  }
  const state$ = options.connectionState ?? of<ConnectionState>({ status: 'connected', connectionTimeoutMs: 300_000 });

  const subscribeParsed = (channel: string): Observable<unknown> =>
    defer(() => {
      if (isClosed) throw new ConnectionClosedError('subscribe');
      const check = parseChannel(channel, { allowWildcard: true });
      if (!check.ok) throw new ValidationError('INVALID_CHANNEL', check.reason);
      const path = check.channel.path;
      calls.push({ op: 'subscribe', channel: path });
      counts.set(path, (counts.get(path) ?? 0) + 1);
      let end = ended.get(path);
      if (!end) ended.set(path, (end = new Subject<void>()));
      subscribed$.next({ channel: path, resubscribed: false });
      return (sources.get(path) ?? NEVER).pipe(
        takeUntil(end),
        takeUntil(closed$),
        finalize(() => {
          const n = (counts.get(path) ?? 1) - 1;
          if (n > 0) counts.set(path, n);
          else {
            counts.delete(path);
            ended.delete(path);
          }
        }),
      );
    });

  const publish = (channel: string, events: readonly unknown[]): Observable<PublishResult> =>
    defer(() => {
      if (isClosed) throw new ConnectionClosedError('publish');
      const prepared = preparePublish(channel, events); // the real client's validation and errors
      calls.push({ op: 'publish', channel: prepared.channel, events });
      return options.publish ? options.publish(prepared.channel, events) : of({ successful: events.map((_, i) => i), failed: [] });
    });

  return {
    calls,
    subscriberCount: (channel) => {
      const check = parseChannel(channel, { allowWildcard: true });
      return check.ok ? (counts.get(check.channel.path) ?? 0) : 0;
    },
    connectionState$: state$.pipe(takeUntil(closed$)),
    messages$: NEVER.pipe(takeUntil(closed$)),
    protocolErrors$: NEVER.pipe(takeUntil(closed$)),
    subscribed$: subscribed$.asObservable(),
    broadcastErrors$: NEVER.pipe(takeUntil(closed$)),
    connect: () => {
      calls.push({ op: 'connect' });
      return isClosed ? Promise.reject(new ConnectionClosedError('connect')) : Promise.resolve({ status: 'connected', connectionTimeoutMs: 300_000 });
    },
    subscribe: <T>(channel: string) => subscribeParsed(channel) as Observable<T>,
    subscribeMessages: (channel: string) => {
      const check = parseChannel(channel, { allowWildcard: true });
      const path = check.ok ? check.channel.path : channel; // an invalid channel errors in subscribeParsed
      return subscribeParsed(channel).pipe(map((value): SubscriptionMessage => ({ type: 'data', channel: path, event: JSON.stringify(value) })));
    },
    unsubscribe: (channel: string) => {
      const check = parseChannel(channel, { allowWildcard: true });
      if (!check.ok) return Promise.reject(new ValidationError('INVALID_CHANNEL', check.reason));
      const end = ended.get(check.channel.path);
      if (!end) return Promise.reject(new ChannelNotSubscribedError(check.channel.path));
      calls.push({ op: 'unsubscribe', channel: check.channel.path });
      end.next();
      return Promise.resolve();
    },
    publish,
    close: () => {
      if (isClosed) return;
      isClosed = true;
      calls.push({ op: 'close' });
      closed$.next();
      subscribed$.complete();
    },
    toJSON: () => ({ httpEndpoint: 'mock://appsync-events-rx/event', realtimeEndpoint: 'mock://appsync-events-rx/event/realtime', status: isClosed ? 'closed' : 'connected' }),
  };
}
