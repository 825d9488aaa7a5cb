// Operation ids only correlate replies on one connection; they are not secrets, so the non-secure
// generator (Math.random, no crypto module to load) is enough and cheaper per publish.
import { nanoid } from 'nanoid/non-secure';
import type { Observable, SchedulerLike } from 'rxjs';
import { asyncScheduler, skip } from './rx';
import type { AuthProvider } from './auth/types';
import { Connection } from './connection/connection';
import { resolveRetryOptions, type RetryOptions } from './connection/retry';
import type { ConnectionState } from './connection/state';
import { ValidationError, type AppSyncEventsError } from './errors';
import { OperationContext } from './operations/context';
import type { PublishResult } from './operations/events';
import { publishOverHttp, type FetchLike } from './operations/http-publish';
import { publishOverWebSocket, type PublishOptions } from './operations/publish';
import { Router } from './operations/router';
import {
  SubscriptionRegistry,
  type BroadcastErrorEvent,
  type SubscribedEvent,
  type SubscribeOptions,
} from './operations/subscriptions';
import { resolveEndpoints } from './protocol/endpoints';
import type { ReceiveMessage, SubscriptionMessage } from './protocol/messages';
import { defaultWebSocket, type WebSocketConstructor, type WebSocketLike } from './transport/websocket';

/**
 * Configuration of {@link createEventsClient}. Only `httpEndpoint` and `auth` are required.
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
export interface EventsClientConfig {
  /**
   * The API's HTTP endpoint: an AppSync host (`<id>.appsync-api.<region>.amazonaws.com`), an
   * `https://…/event` URL, or a custom domain. Its host is the `host` of every authorization.
   */
  readonly httpEndpoint: string;
  /**
   * The realtime endpoint. Derived when omitted: `appsync-api` → `appsync-realtime-api` for AWS
   * hosts, the same host for custom domains (and the emulator).
   */
  readonly realtimeEndpoint?: string;
  /** How to authorize the connection and each operation; see `apiKeyAuth`, `lambdaAuth`. */
  readonly auth: AuthProvider;
  /** Extra fields added to every authorization object (and HTTP publish headers). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Where all time goes (timeouts, keep-alive, backoff, linger); inject a `TestScheduler` in tests. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** WebSocket constructor. @default isomorphic-ws (the browser's `WebSocket`, `ws` in Node) */
  readonly WebSocket?: WebSocketConstructor;
  /** An already open (or opening) socket to use for the first connection, like the seed's `NewWebSocketClient(conn)`. */
  readonly socket?: WebSocketLike;
  /** Operation id generator; ids must match `[A-Za-z0-9_+-]{1,128}`. @default nanoid (non-secure: ids are not secrets) */
  readonly generateId?: () => string;
  /** Time allowed for a reply to subscribe, unsubscribe and each publish request. @default 15000 (as the official clients) */
  readonly requestTimeoutMs?: number;
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
  /** Allow `ws://`/`http://` endpoints on non-loopback hosts. @default false */
  readonly allowInsecure?: boolean;
  /** `fetch` for HTTP publish. @default globalThis.fetch */
  readonly fetch?: FetchLike;
}

/**
 * The reactive AppSync Events client. Streams are Observables; one-shot lifecycle calls are
 * Promises.
 *
 * @example
 * ```ts
 * const client = createEventsClient(config);
 * client.subscribe<{ text: string }>('/default/chat').subscribe((m) => console.log(m.text));
 * client.publish('/default/chat', [{ text: 'hi' }]).subscribe((r) => console.log(r.successful)); // [0]
 * ```
 */
export interface EventsClient {
  /** Connection state; replays the current value; each transition once, in order. Completes after `close()`. */
  readonly connectionState$: Observable<ConnectionState>;
  /** Every decoded inbound frame (hot, shared). */
  readonly messages$: Observable<ReceiveMessage>;
  /**
   * Problems nobody awaits (hot): inbound frames that could not be decoded, events that are not JSON,
   * `error` frames without an id, and a failed or unanswered `unsubscribe` sent by a teardown.
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
  /** Publishes over HTTP `POST /event` (no socket needed); same validation and result. */
  publishHttp(channel: string, events: readonly unknown[], options?: Omit<PublishOptions, 'idempotent'>): Observable<PublishResult>;
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
  if (typeof config !== 'object' || config === null) throw new ValidationError('INVALID_CONFIG', 'createEventsClient needs a config object');
  if (typeof config.auth !== 'function') throw new ValidationError('INVALID_CONFIG', 'config.auth must be an auth provider, e.g. apiKeyAuth(key)');
  const endpoints = resolveEndpoints(config.httpEndpoint, config.realtimeEndpoint, config.allowInsecure ?? false);
  const scheduler = config.scheduler ?? asyncScheduler;
  const requestTimeoutMs = ms(config.requestTimeoutMs, 15_000, 'requestTimeoutMs');
  const headers = { ...(config.headers ?? {}) };
  const router = new Router();
  const connection = new Connection({
    endpoints,
    auth: config.auth,
    headers,
    WebSocket: config.WebSocket ?? defaultWebSocket(),
    scheduler,
    ackTimeoutMs: ms(config.connectTimeoutMs, 15_000, 'connectTimeoutMs'),
    ...(config.keepAliveTimeoutMs !== undefined ? { keepAliveTimeoutMs: ms(config.keepAliveTimeoutMs, 0, 'keepAliveTimeoutMs') } : {}),
    retry: config.retry === false ? false : resolveRetryOptions(config.retry),
    lingerMs: ms(config.lingerMs, 1000, 'lingerMs', true),
    ...(config.socket ? { socket: config.socket } : {}),
    onMessage: (message, session) => router.dispatch(message, session),
  });
  connection._lost$.subscribe(({ session, error, willRetry }) => router.sessionLost(session, error, willRetry));
  const ctx = new OperationContext({
    connection,
    router,
    scheduler,
    endpoints,
    auth: config.auth,
    headers,
    requestTimeoutMs,
    generateId: config.generateId ?? (() => nanoid()),
    checkIds: config.generateId !== undefined,
    protocolErrors: connection._protocolErrors$,
  });
  const registry = new SubscriptionRegistry(ctx);
  const fetchImpl: FetchLike | undefined = config.fetch ?? (typeof fetch === 'function' ? (fetch as unknown as FetchLike) : undefined);

  return {
    connectionState$: connection._state$.asObservable(),
    messages$: connection._messages$.asObservable(),
    protocolErrors$: connection._protocolErrors$.asObservable(),
    subscribed$: registry.subscribed$.asObservable(),
    broadcastErrors$: registry.broadcastErrors$.asObservable(),
    connect: () =>
      new Promise((resolve, reject) => {
        // Fail fast on the first failed attempt, like the seed's DialWebSocketConfig; background
        // retries only start once the connection has been established.
        const states = connection._state$.pipe(skip(1)).subscribe((s) => {
          if (s.status === 'reconnecting') {
            wait.unsubscribe();
            states.unsubscribe();
            reject(s.error);
          }
        });
        const wait = connection.whenReady(
          () => {
            states.unsubscribe();
            connection._pin();
            const s = connection._state$.value;
            resolve(s.status === 'connected' ? s : { status: 'connected', connectionTimeoutMs: 0 });
          },
          (error) => {
            states.unsubscribe();
            reject(error);
          },
        );
      }),
    subscribe: <T>(channel: string, options?: SubscribeOptions) => registry.subscribe<T>(channel, options),
    subscribeMessages: (channel, options) => registry.subscribeMessages(channel, options),
    unsubscribe: (channel) => registry.unsubscribe(channel),
    publish: (channel, events, options = {}) => publishOverWebSocket(ctx, channel, events, options),
    publishHttp: (channel, events, options = {}) => {
      if (!fetchImpl) throw new ValidationError('INVALID_CONFIG', 'publishHttp needs fetch: pass config.fetch on platforms without a global fetch');
      return publishOverHttp(ctx, fetchImpl, channel, events, options);
    },
    close: () => {
      // Pinned first: the subscriptions ending below must not start a linger close (with lingerMs 0
      // it would close the socket as 'idle' and report idle before closed).
      connection._pin();
      registry.closeAll();
      connection.close();
    },
    toJSON: () => ({ httpEndpoint: endpoints.httpUrl, realtimeEndpoint: endpoints.realtimeUrl, status: connection._state$.value.status }),
  };
}

/** A configured duration: `fallback` when absent, else a finite number > 0 (or >= 0 with `zeroOk`). */
function ms(value: number | undefined, fallback: number, name: string, zeroOk = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(zeroOk ? value >= 0 : value > 0) || !Number.isFinite(value)) {
    throw new ValidationError('INVALID_CONFIG', `${name} must be a ${zeroOk ? 'number of milliseconds >= 0' : 'positive number of milliseconds'}`);
  }
  return value;
}
