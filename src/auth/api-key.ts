import type { Authorization } from '../protocol/messages';
import { configError, type AuthProvider, type AuthRequest } from './types';

/**
 * Providers whose answer depends only on the host (an API key, a fixed token). Lets the publish hot
 * path reuse one authorization object instead of building an {@link AuthRequest} and calling the
 * provider for every request (same result).
 */
const hostOnly = new WeakSet<AuthProvider>();

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
  return fixedAuth('x-api-key', apiKey, 'apiKeyAuth needs a non-empty API key');
}

/**
 * A provider answering `{ host, [field]: value }` for every request: frozen, the same object for
 * every request to a host, and known to {@link hostOnlyAuthorization}. Throws a
 * {@link ValidationError} (`INVALID_CONFIG`) with `problem` as message when `value` is not a
 * non-empty string (internal: {@link apiKeyAuth} and the fixed tokens of `tokenHeaderAuth`).
 *
 * @example
 * ```ts
 * const auth = fixedAuth('Authorization', 'my-token', 'myAuth needs a non-empty token');
 * ```
 */
export function fixedAuth(field: string, value: unknown, problem: string): AuthProvider {
  // Blank (a stray newline from an environment variable) would only show as a 401 later.
  if (typeof value !== 'string' || !value.trim()) throw configError(problem);
  let last: Authorization | undefined;
  const provider: AuthProvider = ({ host }) => (last?.host === host ? last : (last = Object.freeze({ host, [field]: value })));
  hostOnly.add(provider);
  return provider;
}

/**
 * The authorization `provider` gives for every request to `host`, when it is known to depend on
 * nothing else ({@link apiKeyAuth}, a fixed token); `undefined` for any other provider, which must be
 * called per request.
 *
 * @example
 * ```ts
 * hostOnlyAuthorization(apiKeyAuth('k'), 'h'); // { host: 'h', 'x-api-key': 'k' }
 * ```
 */
export function hostOnlyAuthorization(provider: AuthProvider, host: string): Authorization | undefined {
  // Such a provider reads nothing but `host` and answers synchronously.
  return hostOnly.has(provider) ? (provider({ host } as AuthRequest) as Authorization) : undefined;
}
