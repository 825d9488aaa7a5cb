// Public entry point of appsync-events-rx: what an application needs. Names are exported one by one
// (no `export *`) so that the public surface is deliberate and reviewable. Every public type is
// exported here (types cost nothing at run time); the run-time protocol toolkit is in
// `appsync-events-rx/protocol`, HTTP publishing in `appsync-events-rx/http`, IAM in
// `appsync-events-rx/iam`.
export type {
  ReceiveMsgType, SendMsgType, Authorization, MessageError, ReceiveMessageEventID, ReceiveMessageFailedEvent,
  ConnectionInitMessage, SubscribeMessage, UnsubscribeMessage, PublishMessage, SendMessage,
  ConnectionAckMessage, ConnectionErrorMessage, KeepAliveMessage, ErrorMessage, SubscribeSuccessMessage,
  SubscribeErrorMessage, DataMessage, BroadcastErrorMessage, UnsubscribeSuccessMessage, UnsubscribeErrorMessage,
  PublishSuccessMessage, PublishErrorMessage, ReceiveMessage, SubscriptionMessage,
} from './protocol/messages';
export type { ChannelPath, ChannelCheck, ParseChannelOptions } from './protocol/channel';
export type { ProtocolViolation } from './protocol/validate';
export type { ResolvedEndpoints } from './protocol/endpoints';
export {
  ErrorCode, AppSyncEventsError, ValidationError, ChannelNotSubscribedError, TimeoutError, ServerError, UnauthorizedError,
  UnsupportedMessageFormatError, MarshalError, IdExistsError, ConnectionError, ConnectionClosedError, KeepAliveTimeoutError,
  PublishOutcomeUnknownError, PartialPublishError, isAuthorizationFailure,
} from './errors';
export type { OperationKind } from './errors';
export type { AuthProvider, AuthRequest, AuthRequestKind } from './auth/types';
export { apiKeyAuth } from './auth/api-key';
export { lambdaAuth, tokenHeaderAuth } from './auth/lambda';
export { cognitoUserPoolsAuth, oidcAuth } from './auth/tokens';
export type { TokenSource } from './auth/lambda';
export { createEventsClient } from './client';
export type { EventsClient, EventsClientConfig } from './client';
export { apiKeyConfig, lambdaConfig, subprotocols } from './config';
export type { ConnectionState, ConnectionStatus } from './connection/state';
export type { RetryOptions, ResolvedRetryOptions } from './connection/retry';
export type { PublishResult, PublishFailure, PreparedPublish, EventBatch } from './operations/events';
export type { PublishOptions } from './operations/publish';
export type { FetchLike, HttpPublisherConfig, HttpPublishOptions } from './operations/http-publish';
export type { SubscribeOptions, SubscribedEvent, BroadcastErrorEvent } from './operations/subscriptions';
export type { WebSocketLike, WebSocketConstructor, WebSocketListener } from './transport/websocket';
