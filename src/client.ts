// Operation ids only correlate replies on one connection; they are not secrets, so the non-secure
// generator (Math.random, no crypto module to load) is enough and cheaper per request.
import { nanoid } from 'nanoid/non-secure';
import type { Observable } from 'rxjs';
import { Connection } from './connection/connection';
import { numberOptions, resolveRetryOptions, type NumberOption, type RetryOptions } from './connection/retry';
import type { ConnectionState } from './connection/state';
import { commonSettings } from './config';
import type { ValidationError, AppSyncEventsError } from './errors';
import { OperationContext } from './operations/context';
import type { PublishResult } from './operations/events';
import type { HttpPublisherConfig } from './operations/http-publish';
import { publishOverWebSocket, type PublishOptions } from './operations/publish';
import { Router } from './operations/router';
import {
  SubscriptionRegistry,
  type BroadcastErrorEvent,
  type SubscribedEvent,
  type SubscribeOptions,
} from './operations/subscriptions';
import { MAX_WS_PUBLISH_PER_SECOND } from './protocol/limits';
import type { ReceiveMessage, SubscriptionMessage } from './protocol/messages';
import type { WebSocketConstructor, WebSocketLike } from './transport/websocket';

/**
 * Configuration of {@link createEventsClient}. Only `httpEndpoint` and `auth` are required. It
 * extends the configuration of `createHttpPublisher` (`appsync-events-rx/http`), so one config
 * object serves both.
 *
 * @example
 * ```ts
 * import { apiKeyAuth, createEventsClient } from 'appsync-events-rx';
 * const client = createEventsClient({
 *   httpEndpoint: 'https://abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-1.amazonaws.com/event',
 *   auth: apiKeyAuth(process.env.APPSYNC_EVENTS_API_KEY!),
 * });
 * ```
 */
export interface EventsClientConfig extends HttpPublisherConfig {
  /**
   * The realtime endpoint. Derived when omitted: `appsync-api` → `appsync-realtime-api` for AWS
   * hosts, the same host for custom domains (and the emulator).
   */
  readonly realtimeEndpoint?: string;
  /** WebSocket constructor. @default isomorphic-ws (the browser's `WebSocket`, `ws` in Node) */
  readonly WebSocket?: WebSocketConstructor;
  /** An already open (or opening) socket to use for the first connection, like the seed's `NewWebSocketClient(conn)`. */
  readonly socket?: WebSocketLike;
  /**
   * Operation id generator; its ids are checked against `[A-Za-z0-9_+-]{1,128}`.
   * @default a random nanoid prefix per client (8 characters of `[A-Za-z0-9_-]`) followed by a
   * base-36 counter: unique on every connection of the client, and one short string per request
   * (a whole nanoid per request cost ~0.6 µs, a tenth of a publish's client-side time). Ids only
   * correlate replies on a connection; they are not secrets.
   */
  readonly generateId?: () => string;
  /** Time allowed from opening the socket to `connection_ack`. @default 15000 */
  readonly connectTimeoutMs?: number;
  /** Overrides the ack's `connectionTimeoutMs` for the keep-alive watchdog. @default from the ack (300000) */
  readonly keepAliveTimeoutMs?: number;
  /** Reconnection policy, or `false` to make every connection loss terminal. @default {} (see RetryOptions) */
  readonly retry?: RetryOptions | false;
  /**
   * How long the socket stays open after the last subscription or publish ended (lazy mode);
   * 0 closes at once. A short linger avoids reconnecting when a view unsubscribes and another
   * subscribes right after. Ignored after an explicit `connect()`. @default 1000
   */
  readonly lingerMs?: number;
  /**
   * WebSocket publish requests (of at most five events) the client sends per second at most on one
   * connection, like the service's limit: later requests wait for their turn, in the order they
   * come to it, also through a reconnection (a new connection is counted afresh). One sent again
   * goes first once it is authorised again (at once with an API key): an idempotent resend, a retry
   * after Unauthorized, or one the service refused for the rate because the frames reached it
   * closer together than they were sent (twice at most; then it fails with that `ServerError`).
   * A publish of more than 125 events, or a burst of publishes, is spread over several seconds
   * instead of refused (a `ServerError` whose `errorType` is `LimitExceededError`). A request's
   * `timeoutMs` runs while it waits: one still waiting when it expires fails with `TimeoutError`,
   * unsent. A number from 1 to 1000 (rounded down to whole requests), or `false` for no pacing (a
   * server without the limit: the emulator with `publishRateLimit: false`). Publish in bulk with
   * `createHttpPublisher`. @default 25
   */
  readonly publishRateLimit?: number | false;
}

/**
 * The reactive AppSync Events client. Streams are Observables; one-shot lifecycle calls are
 * Promises.
 *
 * @example
 * ```ts
 * import { createEventsClient, type EventsClient } from 'appsync-events-rx';
 * const client: EventsClient = createEventsClient(config);
 * client.subscribe<{ text: string }>('/default/chat').subscribe((m) => console.log(m.text));
 * client.publish('/default/chat', [{ text: 'hi' }]).subscribe((r) => console.log(r.successful)); // [0]
 * ```
 */
export interface EventsClient {
  /** Connection state; replays the current value to late subscribers until `close()`; each transition once, in order. Completes after `close()` (then a late subscriber gets only the completion). */
  readonly connectionState$: Observable<ConnectionState>;
  /** Every decoded inbound frame (hot, shared). */
  readonly messages$: Observable<ReceiveMessage>;
  /**
   * Problems nobody awaits (hot): inbound frames that could not be decoded, events that are not JSON,
   * `error` frames without an id, a failed or unanswered `unsubscribe` sent by a teardown, and an
   * auth provider that failed for a resubscription (which is tried again, see `retry`).
   */
  readonly protocolErrors$: Observable<AppSyncEventsError>;
  /** Each channel (re)subscription the server confirmed (hot). */
  readonly subscribed$: Observable<SubscribedEvent>;
  /** Each `broadcast_error` (hot); also delivered to `subscribeMessages` subscribers. */
  readonly broadcastErrors$: Observable<BroadcastErrorEvent>;
  /**
   * Opens the connection now and resolves at `connection_ack` (the seed's `DialWebSocketConfig`).
   * Rejects with a typed error on `connection_error`, socket failure or ack timeout. After it
   * resolves the connection stays open (reconnecting when lost) until `close()`.
   */
  connect(): Promise<Extract<ConnectionState, { status: 'connected' }>>;
  /**
   * Parsed events of a channel (`/ns/a`, or `/ns/*` for everything below `/ns`). Cold: subscribing
   * sends `subscribe`; unsubscribing the last local subscriber sends `unsubscribe`. Local subscribers
   * of one channel share one wire subscription. Errors: `ValidationError`, `ServerError`/
   * `UnauthorizedError` (`subscribe_error`), `TimeoutError`, terminal connection errors.
   */
  subscribe<T = unknown>(channel: string, options?: SubscribeOptions): Observable<T>;
  /** Like {@link EventsClient.subscribe} but emits the raw `SubscriptionMessage`s: `data` and `broadcast_error`. */
  subscribeMessages(channel: string, options?: SubscribeOptions): Observable<SubscriptionMessage>;
  /**
   * Ends the wire subscription of a channel and completes its local subscribers (seed parity).
   * Rejects with `ChannelNotSubscribedError` when the channel has no subscription.
   */
  unsubscribe(channel: string): Promise<void>;
  /**
   * Publishes events (any JSON-serialisable values) over the WebSocket. Cold; emits one
   * {@link PublishResult} and completes. Validates before sending; more than five events go out as
   * several requests whose results are merged by index.
   */
  publish(channel: string, events: readonly unknown[], options?: PublishOptions): Observable<PublishResult>;
  /** Closes the socket, completes every subscription and stream, and leaves no timer behind. Idempotent. */
  close(): void;
  /** What `JSON.stringify(client)` gives: the endpoints and the connection status, never credentials. */
  toJSON(): { readonly httpEndpoint: string; readonly realtimeEndpoint: string; readonly status: ConnectionState['status'] };
}

/**
 * Creates a client. Nothing is opened until the first subscribe, publish or `connect()`.
 * Throws {@link ValidationError} (`INVALID_CONFIG`) on an invalid configuration.
 *
 * @example
 * ```ts
 * import { apiKeyAuth, createEventsClient } from 'appsync-events-rx';
 * const client = createEventsClient({ httpEndpoint: 'example.appsync-api.eu-west-1.amazonaws.com', auth: apiKeyAuth('da2-…') });
 * ```
 */
export function createEventsClient(config: EventsClientConfig): EventsClient {
  // What the connection and the operations need, in one object (each reads its own fields).
  const options = {
    ...commonSettings<{ connectTimeoutMs: number; keepAliveTimeoutMs?: number; lingerMs: number }, EventsClientConfig>(config, 'createEventsClient', DURATIONS),
    retry: config.retry !== false && resolveRetryOptions(config.retry || undefined),
    // Whole requests, 1 to 1,000 (a window holds that many send times; `false` stays as given).
    publishRateLimit: config.publishRateLimit !== false && Math.floor(numberOptions(config, [['publishRateLimit', MAX_WS_PUBLISH_PER_SECOND, 1, false, 1000]]).publishRateLimit!),
    router: new Router(),
    // The default ids always fit the id grammar: only a user's generator is checked.
    generateId: config.generateId ?? sequentialIds(nanoid(8)),
    checkIds: !!config.generateId,
  };
  const connection = new Connection(options);
  const { _state$: state$, _protocolErrors$: protocolErrors } = connection;
  const ctx = new OperationContext({ ...options, connection, protocolErrors });
  const registry = new SubscriptionRegistry(ctx);
  const { httpUrl, realtimeUrl } = options.endpoints;

  // Read-only views of the subjects: no `next` on them, not even from JavaScript.
  return {
    connectionState$: state$.asObservable(),
    messages$: connection._messages$.asObservable(),
    protocolErrors$: protocolErrors.asObservable(),
    subscribed$: registry.subscribed$.asObservable(),
    broadcastErrors$: registry.broadcastErrors$.asObservable(),
    connect: () => connection._connect(),
    subscribe: registry.subscribe.bind(registry),
    subscribeMessages: registry.subscribeMessages.bind(registry),
    unsubscribe: registry.unsubscribe.bind(registry),
    // One shared object for "no options": a publish in flight holds its options.
    publish: (channel, events, options = NO_OPTIONS) => publishOverWebSocket(ctx, channel, events, options),
    close: () => {
      // In use first: the subscriptions ending below must not start a linger close (with lingerMs 0
      // it would close the socket as 'idle' and report idle before closed).
      connection._retain();
      registry.closeAll();
      // After the state is `closed`: a publish started from one of these errors fails at once; the
      // operations still waiting for their auth provider fail too (OperationContext).
      connection._close();
    },
    toJSON: () => ({ httpEndpoint: httpUrl, realtimeEndpoint: realtimeUrl, status: state$.value.status }),
  };
}

const NO_OPTIONS: PublishOptions = Object.freeze({});

/** The client's own durations: name, default, smallest value and whether it is excluded. */
const DURATIONS: readonly NumberOption[] = [
  ['connectTimeoutMs', 15_000, 0, true],
  ['keepAliveTimeoutMs', undefined, 0, true],
  ['lingerMs', 1000, 0],
];

/** Ids `prefix` + 1, 2, … in base 36. */
function sequentialIds(prefix: string): () => string {
  let count = 0;
  return () => prefix + (++count).toString(36);
}
