import { ValidationError } from '../errors';
import type { Authorization } from '../protocol/messages';
import type { AuthProvider } from './types';

/**
 * API key authorization (`API_KEY` mode): `{ host, "x-api-key": key }` for the connection and
 * every operation (the `host` on operations is optional for the service and harmless).
 *
 * @example
 * ```ts
 * import { apiKeyAuth, createEventsClient } from 'appsync-events-rx';
 * const client = createEventsClient({ httpEndpoint: 'https://example.appsync-api.eu-west-1.amazonaws.com/event', auth: apiKeyAuth('da2-…') });
 * ```
 */
export function apiKeyAuth(apiKey: string): AuthProvider {
  if (typeof apiKey !== 'string' || apiKey === '') throw new ValidationError('INVALID_CONFIG', 'apiKeyAuth needs a non-empty API key');
  return ({ host }): Authorization => ({ host, 'x-api-key': apiKey });
}
