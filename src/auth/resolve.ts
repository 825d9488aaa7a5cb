import type { ObservableInput, Subscription as RxSubscription } from 'rxjs';
import { from, Subscription } from '../rx';
import { AppSyncEventsError, ValidationError } from '../errors';
import type { Authorization } from '../protocol/messages';
import { configError, type AuthProvider, type AuthRequest } from './types';

/** Members that make a provider's answer asynchronous (a Promise, an Observable, an async source). */
const ASYNC_MEMBERS: readonly PropertyKey[] = ['then', 'subscribe', 'getReader', Symbol.asyncIterator, Symbol.iterator];

/**
 * Calls an {@link AuthProvider} and hands its answer to `onAuth`. A synchronous answer is handed
 * over synchronously (no Promise, no Observable), which keeps the publish hot path cheap and
 * marble tests deterministic; Promises and Observables are awaited (first value). Returns a
 * Subscription that cancels a pending answer, or `undefined` when it completed synchronously.
 * Errors (a throwing provider, a rejected Promise, an empty Observable) go to `onError`, wrapped
 * in a {@link ValidationError} (`INVALID_CONFIG`) unless they already are SDK errors; the provider's
 * own message is kept but never the credentials it may have produced.
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
  let result: unknown;
  try {
    result = provider(request);
  } catch (e) {
    onError(wrap(e, request));
    return undefined;
  }
  if (!isAsync(result)) {
    deliver(result, request, onAuth, onError);
    return undefined;
  }
  let done = false;
  // The provider may answer synchronously inside subscribe(): collect into a holder that exists
  // before the first value can arrive. Only the first outcome counts.
  const holder = new Subscription();
  const once = (report: () => void): void => {
    if (done) return;
    done = true;
    holder.unsubscribe();
    report();
  };
  holder.add(
    from(result as ObservableInput<unknown>).subscribe({
      next: (auth) => once(() => deliver(auth, request, onAuth, onError)),
      error: (e: unknown) => once(() => onError(wrap(e, request))),
      complete: () => once(() => deliver(undefined, request, onAuth, onError)),
    }),
  );
  return done ? undefined : holder;
}

/** Hands an answer to `onAuth`; one that is not an object (or no answer at all) is a configuration error. */
function deliver(auth: unknown, request: AuthRequest, onAuth: (authorization: Authorization) => void, onError: (error: AppSyncEventsError) => void): void {
  if (typeof auth === 'object' && auth !== null) onAuth(auth as Authorization);
  else onError(configError(`auth provider gave no authorization for ${request.kind}`));
}

function isAsync(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const key of ASYNC_MEMBERS) if (typeof (value as Record<PropertyKey, unknown>)[key] === 'function') return true;
  return false;
}

function wrap(e: unknown, request: AuthRequest): AppSyncEventsError {
  if (AppSyncEventsError.is(e)) return e;
  // The provider's message may quote a credential; only its error class name is kept.
  const err = new ValidationError('AUTH_PROVIDER_FAILED', `auth provider failed for ${request.kind}${e instanceof Error ? `: ${e.name}` : ''}`);
  Object.defineProperty(err, 'cause', { value: e, enumerable: false });
  return err;
}
