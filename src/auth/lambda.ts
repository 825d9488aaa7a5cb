import type { Observable, ObservableInput } from 'rxjs';
import { defer, from, map } from '../rx';
import { ValidationError } from '../errors';
import type { Authorization } from '../protocol/messages';
import type { AuthProvider, AuthRequest } from './types';

/**
 * A token, or a function that returns one (synchronously, as a Promise or as an Observable),
 * called for every request so that expiring tokens are always fresh.
 *
 * @example
 * ```ts
 * import type { TokenSource } from 'appsync-events-rx';
 * const token: TokenSource = () => fetch('/token').then((r) => r.text());
 * ```
 */
export type TokenSource = string | ((request: AuthRequest) => string | PromiseLike<string> | ObservableInput<string>);

/**
 * Lambda authorization (`AWS_LAMBDA` mode): `{ host, Authorization: token }`. The token is opaque
 * to the SDK; your Lambda authorizer decides.
 *
 * @example
 * ```ts
 * import { createEventsClient, lambdaAuth } from 'appsync-events-rx';
 * const client = createEventsClient({ httpEndpoint, auth: lambdaAuth(() => session.currentToken()) });
 * ```
 */
export function lambdaAuth(token: TokenSource): AuthProvider {
  return tokenHeaderAuth(token, 'lambdaAuth');
}

/**
 * Builds a provider that puts a token in the `Authorization` field (Lambda, Cognito, OIDC).
 * Internal building block shared by the token-based modes.
 *
 * @example
 * ```ts
 * import { tokenHeaderAuth } from 'appsync-events-rx';
 * const auth = tokenHeaderAuth('my-token', 'myAuth');
 * ```
 */
export function tokenHeaderAuth(token: TokenSource, what: string): AuthProvider {
  if (typeof token === 'string') {
    if (token === '') throw new ValidationError('INVALID_CONFIG', `${what} needs a non-empty token`);
    return ({ host }): Authorization => ({ host, Authorization: token });
  }
  if (typeof token !== 'function') throw new ValidationError('INVALID_CONFIG', `${what} needs a token string or a token getter`);
  return (request): Observable<Authorization> =>
    defer(() => {
      const t = token(request);
      return typeof t === 'string' || t === undefined || t === null ? [t as string] : from(t as ObservableInput<string>);
    }).pipe(
      map((t) => {
        if (typeof t !== 'string' || t === '') throw new ValidationError('INVALID_CONFIG', `${what}: the token getter returned no token`);
        return { host: request.host, Authorization: t };
      }),
    );
}
