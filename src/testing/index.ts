/**
 * `appsync-events-rx/testing`: a local AppSync Events API emulator (Node only) for tests and
 * offline development. See `docs/emulator.md`.
 *
 * @example
 * ```ts
 * import { startEventApi } from 'appsync-events-rx/testing';
 * const api = await startEventApi();
 * await api.close();
 * ```
 */
export { startEventApi } from './server';
export { HandlerError, handlerError, unauthorized } from './handler-error';
export { createMockEventsClient } from './mock-client';
export type { MockEventsClient, MockEventsClientCall, MockEventsClientOptions } from './mock-client';
export { createIamVerifier } from './sigv4-verifier';
export { generateSelfSignedCertificate } from './tls';
export type { PemKeyPair } from './tls';
export type { IamVerifierOptions } from './sigv4-verifier';
export type {
  AuthMode,
  Authorization,
  AuthorizationContext,
  EmulatorClientConfig,
  EventApi,
  EventApiFaults,
  EventApiOptions,
  EventApiStats,
  FrameBurst,
  HandlerContext,
  HandlerEvent,
  IamVerifier,
  NamespaceConfig,
  TokenValidator,
  TokenValidatorResult,
  TrafficRecord,
} from './types';
// Server-side halves of the shared protocol module (the client entry point leaves them out to stay
// small): decoding client frames, checking publish requests, wildcard matching, header decoding.
export { decodeSendMessage } from '../protocol/decode';
export type { SendMessageDecodeResult } from '../protocol/decode';
export { checkEventCount, checkEventJson } from '../protocol/validate';
export { channelMatches } from '../protocol/channel';
export { base64UrlDecode } from '../auth/header';
