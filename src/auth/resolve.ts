import type { ObservableInput, Subscription as RxSubscription } from 'rxjs';
import { from } from '../rx';
import { AppSyncEventsError, ValidationError, withProviderError } from '../errors';
import type { Authorization } from '../protocol/messages';
import { configError, isStringRecord, type AuthProvider, type AuthRequest } from './types';

/** Members that make a provider's answer asynchronous (a Promise, an Observable, an async source). */
const ASYNC_MEMBERS: readonly PropertyKey[] = ['then', 'subscribe', 'getReader', Symbol.asyncIterator, Symbol.iterator];

/**
 * Calls an {@link AuthProvider} and hands its answer to `onAuth`. A synchronous answer is handed
 * over synchronously (no Promise, no Observable), which keeps the publish hot path cheap and
 * marble tests deterministic; Promises and Observables are awaited (first value). Returns a
 * Subscription that cancels a pending answer, or `undefined` when it completed synchronously.
 * Errors (a throwing provider, a rejected Promise, an erroring Observable) go to `onError`: SDK
 * errors as they are, others wrapped in a {@link ValidationError} (`AUTH_PROVIDER_FAILED`) whose
 * message names only the error's class (the original is the non-enumerable `providerError`). An answer
 * that is not an authorization object (nothing, or an empty Observable) is a `ValidationError`
 * (`INVALID_CONFIG`).
 *
 * @example
 * ```ts
 * import { apiKeyAuth } from 'appsync-events-rx';
 * import { resolveAuth } from 'appsync-events-rx/protocol';
 * resolveAuth(apiKeyAuth('k'), { kind: 'connect', host: 'h', httpUrl: 'https://h/event', body: '{}' }, console.log, console.error);
 * ```
 */
export function resolveAuth(
  provider: AuthProvider,
  request: AuthRequest,
  onAuth: (authorization: Authorization) => void,
  onError: (error: AppSyncEventsError) => void,
): RxSubscription | undefined {
  return firstAnswer(
    () => provider(request),
    // An answer that is not an object of strings (or no answer at all) is a configuration error.
    (auth) => (isStringRecord(auth) ? onAuth(auth as Authorization) : onError(configError(`auth provider gave no object of strings for ${request.kind}`))),
    // The provider's own failure keeps only its error class name: its message may quote a credential.
    (e) =>
      onError(
        AppSyncEventsError.is(e)
          ? e
          : withProviderError(new ValidationError('AUTH_PROVIDER_FAILED', `auth provider failed for ${request.kind}${e instanceof Error ? `: ${e.name}` : ''}`), e),
      ),
  );
}

/**
 * Calls `produce` and hands its answer to `onValue`: a plain value synchronously, a Promise,
 * Observable or other async source by its first value (an empty one gives `undefined`). What
 * `produce` throws, and what the source errors with, goes to `onError`. Only the first outcome
 * counts. Returns a Subscription that cancels a pending answer, or `undefined` when it settled
 * synchronously. The building block of {@link resolveAuth} and of the token getters (internal).
 *
 * @example
 * ```ts
 * firstAnswer(() => getToken(), (token) => use(token), (error) => fail(error));
 * ```
 */
export function firstAnswer(produce: () => unknown, onValue: (value: unknown) => void, onError: (error: unknown) => void): RxSubscription | undefined {
  let answer: unknown;
  try {
    answer = produce();
  } catch (e) {
    return void onError(e);
  }
  // Strings are iterable too: only objects can be async sources.
  if (Object(answer) !== answer || !ASYNC_MEMBERS.some((key) => typeof (answer as Record<PropertyKey, unknown>)[key] === 'function')) return void onValue(answer);
  // The source may answer synchronously inside subscribe(), before its subscription is returned:
  // `settled` tells. Only the first outcome counts.
  let settled = false;
  let subscription: RxSubscription | undefined;
  const once =
    (report: (value?: unknown) => void) =>
    (value?: unknown): void => {
      if (settled) return;
      settled = true;
      subscription?.unsubscribe();
      report(value);
    };
  subscription = from(answer as ObservableInput<unknown>).subscribe({ next: once(onValue), error: once(onError), complete: once(onValue) });
  if (!settled) return subscription;
  subscription.unsubscribe();
}

/**
 * {@link resolveAuth} for the connection handshake (`{}` is the body a signature covers), with the
 * client's extra `headers` merged under the provider's fields: the authorization of the `header-`
 * subprotocol.
 *
 * @example
 * ```ts
 * resolveConnectAuth(auth, endpoints, {}, (authorization) => open(connectionSubprotocols(authorization)), fail);
 * ```
 */
export function resolveConnectAuth(
  provider: AuthProvider,
  endpoints: { readonly host: string; readonly httpUrl: string },
  headers: Readonly<Record<string, string>> | undefined,
  onAuth: (authorization: Authorization) => void,
  onError: (error: AppSyncEventsError) => void,
): RxSubscription | undefined {
  return resolveAuth(provider, { kind: 'connect', host: endpoints.host, httpUrl: endpoints.httpUrl, body: '{}' }, (auth) => onAuth({ ...headers, ...auth }), onError);
}
