import type { SchedulerLike } from 'rxjs';
import { asyncScheduler } from './rx';
import { connectionSubprotocols } from './auth/header';
import { apiKeyAuth } from './auth/api-key';
import { lambdaAuth, type TokenSource } from './auth/lambda';
import { resolveConnectAuth } from './auth/resolve';
import { configError, isStringRecord, type AuthProvider } from './auth/types';
import { functionOptions, numberOptions, type NumberOption } from './connection/retry';
import type { EventsClientConfig } from './client';
import type { HttpPublisherConfig } from './operations/http-publish';
import { resolveEndpoints, type ResolvedEndpoints } from './protocol/endpoints';

/**
 * Seed parity (`NewAPIKeyConfig`): a client config for API key auth.
 *
 * @example
 * ```ts
 * import { apiKeyConfig, createEventsClient } from 'appsync-events-rx';
 * const client = createEventsClient(apiKeyConfig('example.appsync-api.eu-west-1.amazonaws.com', 'example.appsync-realtime-api.eu-west-1.amazonaws.com', 'da2-…'));
 * ```
 */
export function apiKeyConfig(httpEndpoint: string, realtimeEndpoint: string | undefined, apiKey: string): EventsClientConfig {
  return seedConfig(httpEndpoint, realtimeEndpoint, apiKeyAuth(apiKey));
}

/**
 * Seed parity (`NewLambdaConfig`): a client config for Lambda auth (a token or a token getter).
 *
 * @example
 * ```ts
 * import { createEventsClient, lambdaConfig } from 'appsync-events-rx';
 * const client = createEventsClient(lambdaConfig('example.appsync-api.eu-west-1.amazonaws.com', undefined, () => session.currentToken()));
 * ```
 */
export function lambdaConfig(httpEndpoint: string, realtimeEndpoint: string | undefined, token: TokenSource): EventsClientConfig {
  return seedConfig(httpEndpoint, realtimeEndpoint, lambdaAuth(token));
}

function seedConfig(httpEndpoint: string, realtimeEndpoint: string | undefined, auth: AuthProvider): EventsClientConfig {
  // An empty realtime endpoint means "derive it", like an omitted one.
  return { httpEndpoint, realtimeEndpoint: realtimeEndpoint || undefined, auth };
}

/**
 * Seed parity (`Config.Subprotocols`): the two WebSocket subprotocols a connection with this config
 * offers (`aws-appsync-event-ws` and `header-<base64url auth>`), for use with your own socket.
 *
 * @example
 * ```ts
 * import { subprotocols } from 'appsync-events-rx';
 * import { resolveEndpoints } from 'appsync-events-rx/protocol';
 * const { realtimeUrl } = resolveEndpoints(config.httpEndpoint, config.realtimeEndpoint);
 * const ws = new WebSocket(realtimeUrl, await subprotocols(config));
 * ```
 */
export function subprotocols(config: EventsClientConfig): Promise<[string, string]> {
  // A bad endpoint or a missing auth provider rejects (a throw in the executor), like every other
  // failure here, with the error createEventsClient would throw.
  return new Promise((resolve, reject) => {
    const { auth, endpoints, headers } = commonSettings(config, 'subprotocols');
    resolveConnectAuth(auth, endpoints, headers, (authorization) => resolve(connectionSubprotocols(authorization)), reject);
  });
}

/**
 * The config with the settings that `createEventsClient` and `createHttpPublisher` share validated
 * and resolved (internal): `endpoints`, `scheduler`, a copy of `headers`, and `requestTimeoutMs`
 * and the caller's own `durations` with their defaults filled in. Throws {@link ValidationError}
 * (`INVALID_CONFIG`) naming the first invalid field.
 *
 * @example
 * ```ts
 * const { auth, endpoints, scheduler, requestTimeoutMs, headers } = commonSettings(config, 'createHttpPublisher');
 * ```
 */
export function commonSettings<Durations = object, Config extends HttpPublisherConfig & { readonly realtimeEndpoint?: string } = HttpPublisherConfig>(
  config: Config,
  caller: string,
  durations: readonly NumberOption[] = [],
): Config &
  Durations & { endpoints: ResolvedEndpoints; scheduler: SchedulerLike; requestTimeoutMs: number; headers: Readonly<Record<string, string>> } {
  if (typeof config?.auth !== 'function') throw configError(`${caller} needs config.auth: an auth provider, e.g. apiKeyAuth(key)`);
  functionOptions(config, ['generateId', 'WebSocket', 'fetch'], `${caller}: config.`);
  if (config.headers != null && !isStringRecord(config.headers)) throw configError(`${caller}: config.headers must be an object of strings`);
  return {
    ...config,
    endpoints: resolveEndpoints(config.httpEndpoint, config.realtimeEndpoint, config.allowInsecure),
    scheduler: config.scheduler ?? asyncScheduler,
    headers: { ...config.headers },
    ...(numberOptions(config, [['requestTimeoutMs', 15_000, 0, true], ...durations], '', true) as Durations & { requestTimeoutMs: number }),
  };
}
