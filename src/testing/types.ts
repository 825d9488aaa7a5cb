/**
 * Public types of the local AppSync Events emulator (`appsync-events-rx/testing`). This file is the
 * contract between the emulator (`server.ts` and friends), the CLI and the tests.
 */
import type { Observable } from 'rxjs';
import type { AuthProvider } from '../auth/types';
import type { Authorization, MessageError } from '../protocol/messages';

/**
 * The Event API authorization modes (protocol reference §4.1).
 *
 * @example
 * ```ts
 * import type { AuthMode } from 'appsync-events-rx/testing';
 * const modes: AuthMode[] = ['API_KEY', 'AWS_LAMBDA'];
 * ```
 */
export type AuthMode = 'API_KEY' | 'AWS_LAMBDA' | 'AWS_IAM' | 'OPENID_CONNECT' | 'AMAZON_COGNITO_USER_POOLS';

/**
 * What the emulator is authorizing.
 *
 * @example
 * ```ts
 * import type { AuthorizationContext } from 'appsync-events-rx/testing';
 * // A token validator (`TokenValidator`) that accepts any token for everything but publishing.
 * const readOnly = (token: string, ctx: AuthorizationContext) => ctx.kind !== 'publish' && ctx.kind !== 'http-publish';
 * ```
 */
export interface AuthorizationContext {
  readonly kind: 'connect' | 'subscribe' | 'publish' | 'http-publish';
  /** Normalised channel (`/ns/a`), for operations. */
  readonly channel?: string;
  /** Namespace name, for operations. */
  readonly namespace?: string;
}

/**
 * Decides whether a Lambda, Cognito or OIDC token is valid. Return `true`/`false`, or an object
 * (`{ isAuthorized, handlerContext? }`, like a Lambda authorizer's response). May be async.
 * `Bearer ` prefixes are stripped before the call (§4.2). Only `true` and an object whose
 * `isAuthorized` is `true` accept the token: anything else a validator answers (`null`,
 * `undefined`, …), throws or rejects with is a refusal (401), never a crash. A `handlerContext`
 * that is not an object is ignored.
 *
 * @example
 * ```ts
 * import type { TokenValidator } from 'appsync-events-rx/testing';
 * const lambda: TokenValidator = (token) => token === 'let-me-in';
 * ```
 */
export type TokenValidator = (
  token: string,
  context: AuthorizationContext,
) => boolean | TokenValidatorResult | PromiseLike<boolean | TokenValidatorResult>;

/**
 * Detailed answer of a {@link TokenValidator}.
 *
 * @example
 * ```ts
 * import type { TokenValidatorResult } from 'appsync-events-rx/testing';
 * const r: TokenValidatorResult = { isAuthorized: true, handlerContext: { user: 'u1' } };
 * ```
 */
export interface TokenValidatorResult {
  readonly isAuthorized: boolean;
  readonly handlerContext?: Record<string, unknown>;
}

/**
 * The seam for IAM (SigV4) verification, filled by the auth work: given the auth object (lower-cased
 * keys) and the exact body the signature covers (`{}`, `{"channel":…}`,
 * `{"channel":…,"events":[…]}`, or the raw HTTP body), returns `undefined` when valid or the
 * error to report (`BadRequestException` for a signature mismatch, `UnauthorizedException` for an
 * unknown key). May be async.
 *
 * @example
 * ```ts
 * import type { IamVerifier } from 'appsync-events-rx/testing';
 * const presenceOnly: IamVerifier = (headers) => (headers['authorization']?.startsWith('AWS4-HMAC-SHA256') ? undefined : { errorType: 'UnauthorizedException', message: 'missing signature' });
 * ```
 */
export type IamVerifier = (
  headers: Readonly<Record<string, string>>,
  body: string,
  context: AuthorizationContext,
) => MessageError | undefined | PromiseLike<MessageError | undefined>;

/**
 * The event a namespace handler sees: the server-side id and the parsed payload (§7.8).
 *
 * @example
 * ```ts
 * import type { HandlerEvent } from 'appsync-events-rx/testing';
 * const e: HandlerEvent = { id: 'x', payload: { text: 'hi' } };
 * ```
 */
export interface HandlerEvent {
  readonly id: string;
  readonly payload: unknown;
  /** Set by an `onPublish` handler to fail this event (reported in `failed[]`, not broadcast). */
  readonly error?: string;
}

/**
 * What a namespace handler receives (a subset of AppSync's `ctx`, §7.8).
 *
 * @example
 * ```ts
 * import type { HandlerContext } from 'appsync-events-rx/testing';
 * const onPublish = (ctx: HandlerContext) => ctx.events.filter((e) => e.payload !== null);
 * ```
 */
export interface HandlerContext {
  readonly events: readonly HandlerEvent[];
  readonly info: {
    readonly channel: { readonly path: string; readonly segments: readonly string[] };
    readonly channelNamespace: { readonly name: string };
    readonly operation: 'PUBLISH' | 'SUBSCRIBE';
  };
  /** `null` for API key; `{ handlerContext }` for Lambda; `{ sub?, claims? }`-like for tokens. */
  readonly identity: Record<string, unknown> | null;
  readonly request: { readonly headers: Readonly<Record<string, string>> };
}

/**
 * Namespace configuration: name, which auth modes may publish and subscribe (default: the API's
 * `defaultPublishAuthModes` / `defaultSubscribeAuthModes`, else every mode it accepts), and
 * optional handlers. `onPublish` returns the events to broadcast (default
 * pass-through), reusing the ids of `ctx.events`, or `null` to broadcast none (like AWS's
 * `OutgoingEvent[] | null`); events it drops count as successful, an event returned twice is an
 * error. It gets a fresh array of copies of the events, which it may change in place. Throwing {@link HandlerError} rejects the whole
 * request; any other throw, or a result that is neither `null` nor such an array, is reported as
 * `MessageProcessingError`. `onSubscribe` may throw {@link HandlerError} (`unauthorized: true`
 * gives `errorType: "Unauthorized"`).
 *
 * @example
 * ```ts
 * import type { NamespaceConfig } from 'appsync-events-rx/testing';
 * const ns: NamespaceConfig = { name: 'chat', onPublish: (ctx) => ctx.events.map((e) => ({ ...e, payload: { ...(e.payload as object), seen: true } })) };
 * ```
 */
export interface NamespaceConfig {
  readonly name: string;
  readonly publishAuthModes?: readonly AuthMode[];
  readonly subscribeAuthModes?: readonly AuthMode[];
  readonly onPublish?: (ctx: HandlerContext) => readonly (HandlerEvent | null)[] | null | PromiseLike<readonly (HandlerEvent | null)[] | null>;
  readonly onSubscribe?: (ctx: HandlerContext) => void | PromiseLike<void>;
}

/**
 * Options of `startEventApi`. Every field is optional; the defaults follow protocol reference §10.
 *
 * @example
 * ```ts
 * import { startEventApi } from 'appsync-events-rx/testing';
 * const api = await startEventApi({ keepAliveIntervalMs: 50, namespaces: ['default', 'chat'] });
 * ```
 */
export interface EventApiOptions {
  /** Interface to bind. @default '127.0.0.1' */
  readonly host?: string;
  /** Port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Accepted API keys. @default one random `da2-…` key */
  readonly apiKeys?: readonly string[];
  /** Namespaces (names or configs). @default ['default'] */
  readonly namespaces?: readonly (string | NamespaceConfig)[];
  /** `connectionTimeoutMs` advertised in `connection_ack`. @default 300000 */
  readonly connectionTimeoutMs?: number;
  /**
   * Interval of `ka` frames, in ms (a positive number; `Infinity`, or anything above 2147483647,
   * means never). @default 60000
   */
  readonly keepAliveIntervalMs?: number;
  /** Token validators per mode; a mode without a validator is not accepted. */
  readonly authorizers?: {
    readonly lambda?: TokenValidator;
    readonly cognito?: TokenValidator;
    readonly oidc?: TokenValidator;
    readonly iam?: IamVerifier;
  };
  /** Modes accepted for the connection handshake. @default every configured mode */
  readonly connectionAuthModes?: readonly AuthMode[];
  /** Default publish/subscribe modes for namespaces that don't say. @default every configured mode */
  readonly defaultPublishAuthModes?: readonly AuthMode[];
  readonly defaultSubscribeAuthModes?: readonly AuthMode[];
  /** Serve `https`/`wss` with this key pair (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
  /**
   * Reject auth objects whose `host` differs from the emulator's host (`api.host`), like bad
   * credentials: the connect auth object (which must have a `host` anyway), every subscribe/publish
   * `authorization` object that carries a `host` (IAM ones always do), and the `Host` header of an
   * HTTP publish (401). @default false
   */
  readonly strictHost?: boolean;
  /** Subscriptions per connection. @default 200 */
  readonly maxSubscriptionsPerConnection?: number;
  /** WebSocket publish requests per connection per second; `false` disables the limit. @default 25 */
  readonly publishRateLimit?: number | false;
  /**
   * Close connections after this age, in ms (code 1000; a positive number; `Infinity`, or anything
   * above 2147483647, means never). @default 86400000
   */
  readonly maxConnectionAgeMs?: number;
}

/**
 * One frame seen by the emulator, in either direction, for assertions.
 *
 * @example
 * ```ts
 * import { filter, firstValueFrom } from 'rxjs';
 * await firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'in' && t.type === 'unsubscribe')));
 * ```
 */
export interface TrafficRecord {
  readonly direction: 'in' | 'out';
  /** Emulator-assigned connection id; `'http'` for HTTP publish. */
  readonly connectionId: string;
  /** The frame's `type` (or `'http-publish'`, `'invalid'`). */
  readonly type: string;
  /** The operation id, when the frame has one. */
  readonly id?: string;
  /** The raw text. */
  readonly raw: string;
}

/**
 * Counters of what the emulator received and sent.
 *
 * @example
 * ```ts
 * expect(api.stats().received.unsubscribe).toBe(1);
 * ```
 */
export interface EventApiStats {
  /** Connections accepted since start. */
  readonly connectionsOpened: number;
  /** Connections open right now. */
  readonly connectionsOpen: number;
  /** Live subscriptions right now, over all connections. */
  readonly subscriptions: number;
  /** Frames received, by `type`. */
  readonly received: Readonly<Record<string, number>>;
  /** Frames sent, by `type`. */
  readonly sent: Readonly<Record<string, number>>;
  /** HTTP publish requests received. */
  readonly httpPublishes: number;
  /**
   * Events actually broadcast (WS, HTTP and `api.publish`): not those refused one by one, dropped
   * by a handler, or discarded by the `dropEvents` fault. A duplicated event counts once; a delayed
   * or held one counts when it is accepted.
   */
  readonly eventsPublished: number;
  /** Events the `dropEvents` fault kept from every subscriber (not in `eventsPublished`). */
  readonly eventsDropped: number;
}

/**
 * Fault controls, for testing how code copes with failures.
 *
 * @example
 * ```ts
 * api.faults.dropConnections({ code: 1001 });
 * api.faults.refuseConnections(2);
 * ```
 */
export interface EventApiFaults {
  /**
   * Close every open WebSocket (`code` default 1000), or cut them without a close frame
   * (`terminate: true`; clients see 1006). `code` must be 1000–1003, 1007–1014 or 3000–4999 and
   * `reason` at most 123 UTF-8 bytes, or it throws `ValidationError` (`INVALID_ARGUMENT`) and closes
   * nothing.
   */
  dropConnections(options?: { readonly code?: number; readonly reason?: string; readonly terminate?: boolean }): void;
  /** Stop sending `ka` frames (existing and new connections). */
  pauseKeepAlive(): void;
  /** Resume sending `ka` frames. */
  resumeKeepAlive(): void;
  /** Refuse the next `count` WebSocket upgrades with an HTTP status (default 503). */
  refuseConnections(count: number, status?: number): void;
  /**
   * Delay every `connection_ack` by `ms` (0 restores; `Infinity`: never). Applies to
   * `connection_init` frames received from now on. A negative or `NaN` delay throws `ValidationError`.
   */
  delayAcks(ms: number): void;
  /**
   * Delay replies to subscribe/unsubscribe/publish by `ms` (0 restores; `Infinity`: never). Applies
   * to frames received from now on. A negative or `NaN` delay throws `ValidationError`.
   */
  delayReplies(ms: number): void;
  /** Don't answer `connection_init` at all until reset with `false` (frames received meanwhile stay unanswered). */
  withholdAcks(withhold: boolean): void;
  /**
   * Don't answer operations (subscribe/unsubscribe/publish) at all until reset with `false`. The
   * operations still take effect (a withheld subscribe is live); only the reply is lost.
   */
  withholdReplies(withhold: boolean): void;
  /** Send a raw text frame to every open connection (or to one connection id). */
  sendRaw(frame: string, connectionId?: string): void;
  /** Treat the next `count` operations (WS and HTTP) as unauthorized, as if credentials expired. */
  expireCredentials(count: number): void;
  /**
   * Drop the next `count` published events: no subscriber receives them, while the publisher still
   * gets success (the service promises no delivery, and drops oversized broadcasts silently).
   */
  dropEvents(count: number): void;
  /** Deliver each of the next `count` published events twice. */
  duplicateEvents(count: number): void;
  /**
   * Deliver every published event `ms` later (0 restores immediate delivery; `Infinity`: never). A
   * negative or `NaN` delay throws `ValidationError`.
   */
  delayEvents(ms: number): void;
  /** Hold the next `count` published events and deliver them in reverse order once all arrived. */
  reorderEvents(count: number): void;
  /**
   * Silently ignore an `unsubscribe` for a subscription whose `subscribe_success` has not been sent
   * yet (combine with `delayReplies`/`withholdReplies`), as the service is reported to do (§7.3).
   */
  ignoreEarlyUnsubscribe(ignore: boolean): void;
  /** Reset every fault to normal behaviour (events held for reordering are delivered at once). */
  reset(): void;
}

/**
 * Client configuration ready to pass to `createEventsClient`.
 *
 * @example
 * ```ts
 * import { createEventsClient } from 'appsync-events-rx';
 * const client = createEventsClient(api.clientConfig);
 * ```
 */
export interface EmulatorClientConfig {
  readonly httpEndpoint: string;
  readonly realtimeEndpoint: string;
  readonly auth: AuthProvider;
}

/**
 * A running emulator.
 *
 * @example
 * ```ts
 * import { startEventApi } from 'appsync-events-rx/testing';
 * const api = await startEventApi();
 * console.log(api.httpEndpoint, api.realtimeEndpoint, api.apiKey);
 * await api.close();
 * ```
 */
export interface EventApi {
  /** `http://127.0.0.1:<port>/event` (https with TLS). */
  readonly httpEndpoint: string;
  /** `ws://127.0.0.1:<port>/event/realtime` (wss with TLS). */
  readonly realtimeEndpoint: string;
  /** `127.0.0.1:<port>`: the `host` clients put in auth objects. */
  readonly host: string;
  readonly port: number;
  /** The first API key. */
  readonly apiKey: string;
  readonly apiKeys: readonly string[];
  /** PEM certificate when serving TLS (for clients that must trust it). */
  readonly certificate?: string;
  /** Config for `createEventsClient`, using the first API key. */
  readonly clientConfig: EmulatorClientConfig;
  readonly faults: EventApiFaults;
  /** Every frame in and out, as it happens (hot). */
  readonly traffic$: Observable<TrafficRecord>;
  /** Snapshot of the counters. */
  stats(): EventApiStats;
  /** Ids of the open connections. */
  connectionIds(): readonly string[];
  /**
   * Load generation for benchmarks: frames `frames` (complete text messages, such as pre-encoded
   * `data` frames for a subscription id seen in {@link EventApi.traffic$}) for the wire now, so that
   * the returned {@link FrameBurst}'s `send()` only writes — a few large writes instead of one per
   * message, so the emulator is not the bottleneck of a client throughput measurement. The texts are
   * sent as they are: not parsed, validated or recorded in `traffic$`; `stats().sent.raw` counts
   * them. Throws `ValidationError` when no connection has this id.
   *
   * @example
   * ```ts
   * import { filter, firstValueFrom } from 'rxjs';
   * const confirmed = firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'out' && t.type === 'subscribe_success')));
   * client.subscribe('/default/load').subscribe();
   * const { connectionId, id: subId } = await confirmed;
   * const frames = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ type: 'data', id: subId, event: JSON.stringify({ i }) }));
   * const burst = api.burst(connectionId, frames);
   * await burst.send();
   * ```
   */
  burst(connectionId: string, frames: readonly string[]): FrameBurst;
  /**
   * Publish from the server side (as if another client published over HTTP). Rejects with
   * `ValidationError` (bad channel, unknown namespace, a value that is not JSON) or `ServerError`:
   * when `onPublish` refuses the request, and when any event is refused on its own (over 240 KB,
   * or marked with an `error` by `onPublish`), with one entry in `errors` per refused event
   * (`message` starts with `event <index> of <count> was not broadcast`); the other events are
   * broadcast all the same.
   *
   * @example
   * ```ts
   * await api.publish('/default/a', [{ text: 'hi' }]);
   * ```
   */
  publish(channel: string, events: readonly unknown[]): Promise<void>;
  /** Close every connection and the server; resolves when nothing is left running. */
  close(): Promise<void>;
}

/**
 * Frames prepared by {@link EventApi.burst} for one connection.
 *
 * @example
 * ```ts
 * const [connectionId] = api.connectionIds();
 * const burst = api.burst(connectionId, ['{"type":"ka"}', '{"type":"ka"}']);
 * console.log(burst.frames, burst.bytes); // 2, and the bytes on the wire
 * await burst.send(); // may be called again to send the same frames again
 * ```
 */
export interface FrameBurst {
  /** Number of messages. */
  readonly frames: number;
  /** Bytes on the wire (WebSocket headers included, before TLS). */
  readonly bytes: number;
  /** Writes every frame, in order; resolves once the socket took them all, rejects if the connection is gone. */
  send(): Promise<void>;
}

/** Re-exported for emulator users. @example `import type { Authorization } from 'appsync-events-rx/testing';` */
export type { Authorization };
