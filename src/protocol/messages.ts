/**
 * Wire types for every AppSync Events frame, in both directions (protocol reference §2). Names follow
 * the Go seed library (`SendMessage`, `ReceiveMessage`, `ReceiveMsgType`, `SendMsgType`,
 * `MessageError`, `ReceiveMessageEventID`, `SubscriptionMessage`, `Authorization`); each direction
 * is a discriminated union on `type`.
 */

/**
 * Message types the server sends. The object gives the values names; the type is their union.
 *
 * @example
 * ```ts
 * import { ReceiveMsgType } from 'appsync-events-rx/protocol';
 * client.messages$.subscribe((message) => {
 *   if (message.type === ReceiveMsgType.Data) console.log(message.id, message.event);
 * });
 * ```
 */
export const ReceiveMsgType = {
  ConnectionAck: 'connection_ack',
  ConnectionError: 'connection_error',
  Error: 'error',
  KeepAlive: 'ka',
  PublishError: 'publish_error',
  PublishSuccess: 'publish_success',
  SubscribeError: 'subscribe_error',
  SubscribeSuccess: 'subscribe_success',
  BroadcastError: 'broadcast_error',
  Data: 'data',
  UnsubscribeError: 'unsubscribe_error',
  UnsubscribeSuccess: 'unsubscribe_success',
} as const;
/** Union of the message types the server sends. @example `const t: ReceiveMsgType = 'ka';` */
export type ReceiveMsgType = (typeof ReceiveMsgType)[keyof typeof ReceiveMsgType];

/**
 * Message types the client sends.
 *
 * @example
 * ```ts
 * import { SendMsgType } from 'appsync-events-rx/protocol';
 * const frame = { type: SendMsgType.ConnectionInit };
 * ```
 */
export const SendMsgType = {
  ConnectionInit: 'connection_init',
  Publish: 'publish',
  Subscribe: 'subscribe',
  Unsubscribe: 'unsubscribe',
} as const;
/** Union of the message types the client sends. @example `const t: SendMsgType = 'publish';` */
export type SendMsgType = (typeof SendMsgType)[keyof typeof SendMsgType];

// The seed's constant names, one export each (tree-shakeable).
/** Seed name for `connection_ack`. @example `import { ConnectionAckType } from 'appsync-events-rx/protocol';` */
export const ConnectionAckType = ReceiveMsgType.ConnectionAck;
/** Seed name for `connection_error`. @example `import { ConnectionErrType } from 'appsync-events-rx/protocol';` */
export const ConnectionErrType = ReceiveMsgType.ConnectionError;
/** Seed name for `error`. @example `import { ErrorType } from 'appsync-events-rx/protocol';` */
export const ErrorType = ReceiveMsgType.Error;
/** Seed name for `ka`. @example `import { KeepAliveType } from 'appsync-events-rx/protocol';` */
export const KeepAliveType = ReceiveMsgType.KeepAlive;
/** Seed name for `publish_error`. @example `import { PublishErrType } from 'appsync-events-rx/protocol';` */
export const PublishErrType = ReceiveMsgType.PublishError;
/** Seed name for `publish_success`. @example `import { PublishSuccessType } from 'appsync-events-rx/protocol';` */
export const PublishSuccessType = ReceiveMsgType.PublishSuccess;
/** Seed name for `subscribe_error`. @example `import { SubscribeErrType } from 'appsync-events-rx/protocol';` */
export const SubscribeErrType = ReceiveMsgType.SubscribeError;
/** Seed name for `subscribe_success`. @example `import { SubscribeSuccessType } from 'appsync-events-rx/protocol';` */
export const SubscribeSuccessType = ReceiveMsgType.SubscribeSuccess;
/** Seed name for `broadcast_error`. @example `import { SubscriptionBroadcastErrorType } from 'appsync-events-rx/protocol';` */
export const SubscriptionBroadcastErrorType = ReceiveMsgType.BroadcastError;
/** Seed name for `data`. @example `import { SubscriptionDataType } from 'appsync-events-rx/protocol';` */
export const SubscriptionDataType = ReceiveMsgType.Data;
/** Seed name for `unsubscribe_error`. @example `import { UnsubscribeErrType } from 'appsync-events-rx/protocol';` */
export const UnsubscribeErrType = ReceiveMsgType.UnsubscribeError;
/** Seed name for `unsubscribe_success`. @example `import { UnsubscribeSuccessType } from 'appsync-events-rx/protocol';` */
export const UnsubscribeSuccessType = ReceiveMsgType.UnsubscribeSuccess;
/** Seed name for `connection_init`. @example `import { ConnectionInitType } from 'appsync-events-rx/protocol';` */
export const ConnectionInitType = SendMsgType.ConnectionInit;
/** Seed name for `publish`. @example `import { PublishType } from 'appsync-events-rx/protocol';` */
export const PublishType = SendMsgType.Publish;
/** Seed name for `subscribe`. @example `import { SubscribeType } from 'appsync-events-rx/protocol';` */
export const SubscribeType = SendMsgType.Subscribe;
/** Seed name for `unsubscribe`. @example `import { UnsubscribeType } from 'appsync-events-rx/protocol';` */
export const UnsubscribeType = SendMsgType.Unsubscribe;

/**
 * The authorization object: in the connect `header-` subprotocol, in each operation's
 * `authorization` field, and as HTTP headers for HTTP publish. Which keys are present depends on
 * the auth mode (§4.2): `x-api-key` (API key), `Authorization` (Lambda, Cognito, OIDC),
 * `authorization` + `x-amz-date` + `x-amz-security-token` + signed headers (IAM). `host` is the
 * API's HTTP host. Keys are case-insensitive on the service.
 *
 * @example
 * ```ts
 * import type { Authorization } from 'appsync-events-rx';
 * const auth: Authorization = { host: 'example.appsync-api.eu-west-1.amazonaws.com', 'x-api-key': 'da2-…' };
 * ```
 */
export interface Authorization {
  readonly host?: string;
  readonly 'x-api-key'?: string;
  readonly Authorization?: string;
  readonly authorization?: string;
  readonly 'x-amz-date'?: string;
  readonly 'x-amz-security-token'?: string;
  readonly [header: string]: string | undefined;
}

/**
 * One error reported by the server, inside `errors[]` (§2.6).
 *
 * @example
 * ```ts
 * import type { MessageError } from 'appsync-events-rx';
 * const e: MessageError = { errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' };
 * ```
 */
export interface MessageError {
  readonly errorType: string;
  readonly message?: string;
  readonly errorCode?: number;
}

/**
 * Identifies one event of a publish request in `publish_success.successful[]`: `index` is the
 * position in the request's `events` array, `identifier` a server-generated id.
 *
 * @example
 * ```ts
 * import type { ReceiveMessageEventID } from 'appsync-events-rx';
 * const ok: ReceiveMessageEventID = { identifier: '0c5e…', index: 0 };
 * ```
 */
export interface ReceiveMessageEventID {
  readonly identifier: string;
  readonly index: number;
}

/**
 * An event that failed individually in `publish_success.failed[]`, with the server's reason.
 *
 * @example
 * ```ts
 * import type { ReceiveMessageFailedEvent } from 'appsync-events-rx';
 * const f: ReceiveMessageFailedEvent = { identifier: '7a2d…', index: 1, code: 'EventTooLargeException', message: 'too large' };
 * ```
 */
export interface ReceiveMessageFailedEvent extends ReceiveMessageEventID {
  readonly code?: string;
  readonly message?: string;
}

// ---------------------------------------------------------------------------------------------
// Client → server

/** `connection_init` (optional on the wire; the client always sends it). @example `{ type: 'connection_init' }` */
export interface ConnectionInitMessage {
  readonly type: typeof SendMsgType.ConnectionInit;
}
/** `subscribe`. @example `{ type: 'subscribe', id: 'a1', channel: '/default/x', authorization: { 'x-api-key': k } }` */
export interface SubscribeMessage {
  readonly type: typeof SendMsgType.Subscribe;
  readonly id: string;
  readonly channel: string;
  readonly authorization: Authorization;
}
/** `unsubscribe` (carries no authorization). @example `{ type: 'unsubscribe', id: 'a1' }` */
export interface UnsubscribeMessage {
  readonly type: typeof SendMsgType.Unsubscribe;
  readonly id: string;
}
/** `publish`: `events` are strings holding JSON. @example `{ type: 'publish', id: 'p1', channel: '/default/x', events: ['{"a":1}'], authorization }` */
export interface PublishMessage {
  readonly type: typeof SendMsgType.Publish;
  readonly id: string;
  readonly channel: string;
  readonly events: readonly string[];
  readonly authorization: Authorization;
}

/**
 * Every frame a client sends.
 *
 * @example
 * ```ts
 * import type { SendMessage } from 'appsync-events-rx';
 * const m: SendMessage = { type: 'unsubscribe', id: 'a1' };
 * ```
 */
export type SendMessage = ConnectionInitMessage | SubscribeMessage | UnsubscribeMessage | PublishMessage;

// ---------------------------------------------------------------------------------------------
// Server → client

/** `connection_ack` with the keep-alive deadline. @example `{ type: 'connection_ack', connectionTimeoutMs: 300000 }` */
export interface ConnectionAckMessage {
  readonly type: typeof ReceiveMsgType.ConnectionAck;
  readonly connectionTimeoutMs: number;
}
/** `connection_error`: the handshake was refused. @example `{ type: 'connection_error', errors: [{ errorType: 'UnauthorizedException' }] }` */
export interface ConnectionErrorMessage {
  readonly type: typeof ReceiveMsgType.ConnectionError;
  readonly errors: readonly MessageError[];
}
/** `ka` keep-alive. @example `{ type: 'ka' }` */
export interface KeepAliveMessage {
  readonly type: typeof ReceiveMsgType.KeepAlive;
}
/** Generic `error`, optionally tied to an operation id. @example `{ type: 'error', errors: [{ errorType: 'UnsupportedOperation' }] }` */
export interface ErrorMessage {
  readonly type: typeof ReceiveMsgType.Error;
  readonly id?: string;
  readonly errors: readonly MessageError[];
}
/** `subscribe_success`. @example `{ type: 'subscribe_success', id: 'a1' }` */
export interface SubscribeSuccessMessage {
  readonly type: typeof ReceiveMsgType.SubscribeSuccess;
  readonly id: string;
}
/** `subscribe_error`. @example `{ type: 'subscribe_error', id: 'a1', errors: [...] }` */
export interface SubscribeErrorMessage {
  readonly type: typeof ReceiveMsgType.SubscribeError;
  readonly id: string;
  readonly errors: readonly MessageError[];
}
/** `data`: one event, as the JSON string that was published. @example `{ type: 'data', id: 'a1', event: '{"a":1}' }` */
export interface DataMessage {
  readonly type: typeof ReceiveMsgType.Data;
  readonly id: string;
  readonly event: string;
}
/** `broadcast_error`: an event for this subscription could not be delivered. @example `{ type: 'broadcast_error', id: 'a1', errors: [...] }` */
export interface BroadcastErrorMessage {
  readonly type: typeof ReceiveMsgType.BroadcastError;
  readonly id: string;
  readonly errors: readonly MessageError[];
}
/** `unsubscribe_success`. @example `{ type: 'unsubscribe_success', id: 'a1' }` */
export interface UnsubscribeSuccessMessage {
  readonly type: typeof ReceiveMsgType.UnsubscribeSuccess;
  readonly id: string;
}
/** `unsubscribe_error`. @example `{ type: 'unsubscribe_error', id: 'a1', errors: [{ errorType: 'UnknownOperationError' }] }` */
export interface UnsubscribeErrorMessage {
  readonly type: typeof ReceiveMsgType.UnsubscribeError;
  readonly id: string;
  readonly errors: readonly MessageError[];
}
/** `publish_success`, with per-event outcomes. @example `{ type: 'publish_success', id: 'p1', successful: [{ identifier: 'x', index: 0 }], failed: [] }` */
export interface PublishSuccessMessage {
  readonly type: typeof ReceiveMsgType.PublishSuccess;
  readonly id: string;
  readonly successful: readonly ReceiveMessageEventID[];
  readonly failed: readonly ReceiveMessageFailedEvent[];
}
/** `publish_error`: the whole request failed. @example `{ type: 'publish_error', id: 'p1', errors: [...] }` */
export interface PublishErrorMessage {
  readonly type: typeof ReceiveMsgType.PublishError;
  readonly id: string;
  readonly errors: readonly MessageError[];
}

/**
 * Every frame the server sends, decoded.
 *
 * @example
 * ```ts
 * import type { ReceiveMessage } from 'appsync-events-rx';
 * function onFrame(m: ReceiveMessage) { if (m.type === 'data') console.log(m.id, m.event); }
 * ```
 */
export type ReceiveMessage =
  | ConnectionAckMessage
  | ConnectionErrorMessage
  | KeepAliveMessage
  | ErrorMessage
  | SubscribeSuccessMessage
  | SubscribeErrorMessage
  | DataMessage
  | BroadcastErrorMessage
  | UnsubscribeSuccessMessage
  | UnsubscribeErrorMessage
  | PublishSuccessMessage
  | PublishErrorMessage;

/**
 * What a channel subscription delivers in raw form (the seed's `SubscriptionMessage`): each `data`
 * event as its JSON string, and each `broadcast_error` with the server's errors. `channel` is the
 * channel (or wildcard) that was subscribed.
 *
 * @example
 * ```ts
 * import type { SubscriptionMessage } from 'appsync-events-rx';
 * function handle(m: SubscriptionMessage) {
 *   if (m.type === 'data') console.log(JSON.parse(m.event));
 *   else console.warn(m.errors);
 * }
 * ```
 */
export type SubscriptionMessage =
  | { readonly type: typeof ReceiveMsgType.Data; readonly channel: string; readonly event: string }
  | { readonly type: typeof ReceiveMsgType.BroadcastError; readonly channel: string; readonly errors: readonly MessageError[] };
