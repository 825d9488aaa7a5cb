// Public entry point of appsync-events-rx. Names are exported one by one (no `export *`) so that the
// public surface is deliberate and reviewable.
export {
  ReceiveMsgType, SendMsgType,
  ConnectionAckType, ConnectionErrType, ErrorType, KeepAliveType, PublishErrType, PublishSuccessType,
  SubscribeErrType, SubscribeSuccessType, SubscriptionBroadcastErrorType, SubscriptionDataType,
  UnsubscribeErrType, UnsubscribeSuccessType, ConnectionInitType, PublishType, SubscribeType, UnsubscribeType,
} from './protocol/messages';
export type {
  Authorization, MessageError, ReceiveMessageEventID, ReceiveMessageFailedEvent,
  ConnectionInitMessage, SubscribeMessage, UnsubscribeMessage, PublishMessage, SendMessage,
  ConnectionAckMessage, ConnectionErrorMessage, KeepAliveMessage, ErrorMessage, SubscribeSuccessMessage,
  SubscribeErrorMessage, DataMessage, BroadcastErrorMessage, UnsubscribeSuccessMessage, UnsubscribeErrorMessage,
  PublishSuccessMessage, PublishErrorMessage, ReceiveMessage, SubscriptionMessage,
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
export {
  ErrorCode, AppSyncEventsError, ValidationError, ChannelNotSubscribedError, TimeoutError, ServerError, UnauthorizedError,
  UnsupportedMessageFormatError, MarshalError, IdExistsError, ConnectionError, ConnectionClosedError, KeepAliveTimeoutError,
  PublishOutcomeUnknownError, isAuthorizationFailure, serverError, scrubSecrets,
} from './errors';
export type { OperationKind } from './errors';
export type { AuthProvider, AuthRequest, AuthRequestKind } from './auth/types';
export { encodeHeaderSubprotocol, connectionSubprotocols, base64UrlEncode } from './auth/header';
export { apiKeyAuth } from './auth/api-key';
export { lambdaAuth, tokenHeaderAuth } from './auth/lambda';
export { cognitoUserPoolsAuth, oidcAuth } from './auth/tokens';
export type { TokenSource } from './auth/lambda';
export { resolveAuth } from './auth/resolve';
export { createEventsClient } from './client';
export type { EventsClient, EventsClientConfig } from './client';
export { apiKeyConfig, lambdaConfig, subprotocols } from './config';
export type { ConnectionState, ConnectionStatus } from './connection/state';
export { resolveRetryOptions, backoffDelay, isRetryable } from './connection/retry';
export type { RetryOptions, ResolvedRetryOptions } from './connection/retry';
export { preparePublish } from './operations/events';
export type { PublishResult, PublishFailure, PreparedPublish, EventBatch } from './operations/events';
export type { PublishOptions } from './operations/publish';
export type { FetchLike } from './operations/http-publish';
export type { SubscribeOptions, SubscribedEvent, BroadcastErrorEvent } from './operations/subscriptions';
export { defaultWebSocket, WS_OPEN, WS_CONNECTING } from './transport/websocket';
export type { WebSocketLike, WebSocketConstructor } from './transport/websocket';
