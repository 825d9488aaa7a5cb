import { tokenHeaderAuth, type TokenSource } from './lambda';
import type { AuthProvider } from './types';

/**
 * Amazon Cognito user pools authorization (`AMAZON_COGNITO_USER_POOLS` mode): `{ host,
 * Authorization: <JWT> }` for the connection and every operation (protocol reference §4.2).
 *
 * Pass a getter rather than a fixed string: it is called for the connection handshake and again
 * for every subscribe and publish, so a refreshed token is picked up without reconnecting. The
 * getter may answer synchronously, with a Promise or with an Observable (first value used). The JWT
 * is sent as given; the service also accepts a `Bearer ` prefix.
 *
 * @param getJwt - the JWT (ID or access token of the signed-in user), or a function returning it.
 * @throws {@link ValidationError} (`INVALID_CONFIG`) for an empty token; the returned provider
 * fails with the same error when the getter yields an empty token.
 *
 * @example
 * ```ts
 * import { cognitoUserPoolsAuth, createEventsClient } from 'appsync-events-rx';
 * import { fetchAuthSession } from 'aws-amplify/auth';
 *
 * const client = createEventsClient({
 *   httpEndpoint: 'https://example.appsync-api.eu-west-1.amazonaws.com/event',
 *   auth: cognitoUserPoolsAuth(async () => (await fetchAuthSession()).tokens?.idToken?.toString() ?? ''),
 * });
 * ```
 */
export function cognitoUserPoolsAuth(getJwt: TokenSource): AuthProvider {
  return tokenHeaderAuth(getJwt, 'cognitoUserPoolsAuth');
}

/**
 * OpenID Connect authorization (`OPENID_CONNECT` mode): `{ host, Authorization: <JWT ID token> }`
 * for the connection and every operation (protocol reference §4.2).
 *
 * Like {@link cognitoUserPoolsAuth}, a getter is called for every connection attempt and every
 * operation, so the token your identity provider refreshes is always the one sent.
 *
 * @param getJwt - the ID token issued by your OIDC provider, or a function returning it
 * (synchronously, as a Promise or as an Observable).
 * @throws {@link ValidationError} (`INVALID_CONFIG`) for an empty token; the returned provider
 * fails with the same error when the getter yields an empty token.
 *
 * @example
 * ```ts
 * import { createEventsClient, oidcAuth } from 'appsync-events-rx';
 * import { UserManager } from 'oidc-client-ts';
 *
 * const users = new UserManager({ authority: 'https://login.example.com', client_id: '…', redirect_uri: location.origin });
 * const client = createEventsClient({
 *   httpEndpoint: 'https://example.appsync-api.eu-west-1.amazonaws.com/event',
 *   auth: oidcAuth(async () => (await users.getUser())?.id_token ?? ''),
 * });
 * ```
 */
export function oidcAuth(getJwt: TokenSource): AuthProvider {
  return tokenHeaderAuth(getJwt, 'oidcAuth');
}
