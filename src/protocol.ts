// Entry point `appsync-events-rx/protocol`: the run-time protocol toolkit for code that builds on the
// wire format (custom transports, proxies, gateways, test tools): the message-type constants and
// limits, channel and event validation, the frame decoder, endpoint resolution, the `header-`
// subprotocol encoding, auth resolution, the retry policy and publish preparation. The main entry
// exports the types of all of these; an application that only uses `createEventsClient` does not
// ship this code. Names are exported one by one (no `export *`).
export {
  ReceiveMsgType, SendMsgType,
  ConnectionAckType, ConnectionErrType, ErrorType, KeepAliveType, PublishErrType, PublishSuccessType,
  SubscribeErrType, SubscribeSuccessType, SubscriptionBroadcastErrorType, SubscriptionDataType,
  UnsubscribeErrType, UnsubscribeSuccessType, ConnectionInitType, PublishType, SubscribeType, UnsubscribeType,
} from './protocol/messages';
export {
  MAX_EVENTS_PER_PUBLISH, MAX_EVENT_BYTES, MAX_SUBSCRIPTIONS_PER_CONNECTION, MAX_CHANNEL_SEGMENTS, MAX_SEGMENT_LENGTH,
  OPERATION_ID_PATTERN, DEFAULT_CONNECTION_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_INTERVAL_MS, MAX_WS_PUBLISH_PER_SECOND,
  MAX_CONNECTION_AGE_MS, EVENT_WS_SUBPROTOCOL, utf8ByteLength,
} from './protocol/limits';
export { parseChannel } from './protocol/channel';
export type { ChannelPath, ChannelCheck, ParseChannelOptions } from './protocol/channel';
export { checkOperationId, checkEventSize } from './protocol/validate';
export type { ProtocolViolation } from './protocol/validate';
export { decodeReceiveMessage } from './protocol/decode';
export { resolveEndpoints } from './protocol/endpoints';
export type { ResolvedEndpoints } from './protocol/endpoints';
export { encodeHeaderSubprotocol, connectionSubprotocols, base64UrlEncode, webSocketSignedBody } from './auth/header';
export { resolveAuth } from './auth/resolve';
export { resolveRetryOptions, backoffDelay, isRetryable } from './connection/retry';
export type { RetryOptions, ResolvedRetryOptions } from './connection/retry';
export { preparePublish } from './operations/events';
export type { PreparedPublish, EventBatch } from './operations/events';
export { defaultWebSocket, WS_OPEN, WS_CONNECTING } from './transport/websocket';
export type { WebSocketLike, WebSocketConstructor } from './transport/websocket';
export { serverError, scrubSecrets } from './errors';
