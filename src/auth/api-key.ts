import type { Authorization } from '../protocol/messages';
import { configError, type AuthProvider } from './types';

/**
 * Providers whose answer depends only on the host (those made by {@link apiKeyAuth}), with the
 * function that gives that answer. Lets the publish hot path reuse one authorization object instead
 * of building an {@link AuthRequest} and calling the provider for every request (same result).
 */
const hostOnly = new WeakMap<AuthProvider, (host: string) => Authorization>();

/**
 * API key authorization (`API_KEY` mode): `{ host, "x-api-key": key }` for the connection and
 * every operation (the `host` on operations is optional for the service and harmless). The
 * object is frozen and the same one for every request to a host.
 *
 * @example
 * ```ts
 * import { apiKeyAuth, createEventsClient } from 'appsync-events-rx';
 * const client = createEventsClient({ httpEndpoint: 'https://example.appsync-api.eu-west-1.amazonaws.com/event', auth: apiKeyAuth('da2-…') });
 * ```
 */
export function apiKeyAuth(apiKey: string): AuthProvider {
  if (typeof apiKey !== 'string' || apiKey === '') throw configError('apiKeyAuth needs a non-empty API key');
  let last: Authorization | undefined;
  const forHost = (host: string): Authorization => {
    if (last === undefined || last.host !== host) last = Object.freeze({ host, 'x-api-key': apiKey });
    return last;
  };
  const provider: AuthProvider = ({ host }) => forHost(host);
  hostOnly.set(provider, forHost);
  return provider;
}

/**
 * The authorization `provider` gives for every request to `host`, when it is known to depend on
 * nothing else (an {@link apiKeyAuth} provider); `undefined` for any other provider, which must be
 * called per request.
 *
 * @example
 * ```ts
 * hostOnlyAuthorization(apiKeyAuth('k'), 'h'); // { host: 'h', 'x-api-key': 'k' }
 * ```
 */
export function hostOnlyAuthorization(provider: AuthProvider, host: string): Authorization | undefined {
  return hostOnly.get(provider)?.(host);
}
