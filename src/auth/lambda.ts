import type { ObservableInput } from 'rxjs';
import { Observable } from '../rx';
import type { Authorization } from '../protocol/messages';
import { fixedAuth } from './api-key';
import { firstAnswer } from './resolve';
import { configError, type AuthProvider, type AuthRequest } from './types';

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
 * Internal building block shared by the token-based modes. A fixed token is checked at once (its
 * answer is frozen and reused per host, like an API key's); a getter is called for every request,
 * lazily (when the returned Observable is subscribed), and its answer checked then: an empty
 * token, `undefined` or `null` (nobody signed in) fails with {@link ValidationError}
 * (`INVALID_CONFIG`) naming `what`.
 *
 * @example
 * ```ts
 * import { tokenHeaderAuth } from 'appsync-events-rx';
 * const auth = tokenHeaderAuth('my-token', 'myAuth');
 * ```
 */
export function tokenHeaderAuth(token: TokenSource, what: string): AuthProvider {
  const problem = `${what} needs a non-empty token or a getter`;
  if (typeof token !== 'function') return fixedAuth('Authorization', token, problem);
  return (request) =>
    new Observable<Authorization>((subscriber) =>
      firstAnswer(
        () => token(request),
        // Also `undefined`/`null` (nobody signed in) and empty Observables end here.
        (value) => {
          if (typeof value !== 'string' || !value.trim()) return subscriber.error(configError(problem));
          subscriber.next({ host: request.host, Authorization: value });
          subscriber.complete();
        },
        (e) => subscriber.error(e),
      ),
    );
}
