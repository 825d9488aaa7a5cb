import { connectionSubprotocols } from './auth/header';
import { apiKeyAuth } from './auth/api-key';
import { lambdaAuth, type TokenSource } from './auth/lambda';
import { resolveAuth } from './auth/resolve';
import type { EventsClientConfig } from './client';
import { resolveEndpoints } from './protocol/endpoints';

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
  return { httpEndpoint, ...(realtimeEndpoint ? { realtimeEndpoint } : {}), auth: apiKeyAuth(apiKey) };
}

/**
 * Seed parity (`NewLambdaConfig`): a client config for Lambda auth (a token or a token getter).
 *
 * @example
 * ```ts
 * import { createEventsClient, lambdaConfig } from 'appsync-events-rx';
 * const client = createEventsClient(lambdaConfig(httpHost, realtimeHost, () => getToken()));
 * ```
 */
export function lambdaConfig(httpEndpoint: string, realtimeEndpoint: string | undefined, token: TokenSource): EventsClientConfig {
  return { httpEndpoint, ...(realtimeEndpoint ? { realtimeEndpoint } : {}), auth: lambdaAuth(token) };
}

/**
 * Seed parity (`Config.Subprotocols`): the two WebSocket subprotocols a connection with this config
 * offers (`aws-appsync-event-ws` and `header-<base64url auth>`), for use with your own socket.
 *
 * @example
 * ```ts
 * import { subprotocols } from 'appsync-events-rx';
 * const ws = new WebSocket(realtimeUrl, await subprotocols(config));
 * ```
 */
export function subprotocols(config: EventsClientConfig): Promise<[string, string]> {
  const endpoints = resolveEndpoints(config.httpEndpoint, config.realtimeEndpoint, config.allowInsecure ?? false);
  return new Promise((resolve, reject) => {
    resolveAuth(
      config.auth,
      { kind: 'connect', host: endpoints.host, httpUrl: endpoints.httpUrl, body: '{}' },
      (auth) => resolve(connectionSubprotocols({ ...(config.headers ?? {}), ...auth })),
      reject,
    );
  });
}
