import type { ObservableInput, Subscription as RxSubscription } from 'rxjs';
import { from, Subscription } from '../rx';
import { AppSyncEventsError, ValidationError } from '../errors';
import type { Authorization } from '../protocol/messages';
import type { AuthProvider, AuthRequest } from './types';

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
  let result: ReturnType<AuthProvider>;
  try {
    result = provider(request);
  } catch (e) {
    onError(wrap(e, request));
    return undefined;
  }
  if (!isAsync(result)) {
    if (typeof result !== 'object' || result === null) {
      onError(new ValidationError('INVALID_CONFIG', `auth provider returned no authorization object for ${request.kind}`));
    } else onAuth(result as Authorization);
    return undefined;
  }
  let done = false;
  // The provider may answer synchronously inside subscribe(): collect into a holder that exists
  // before the first value can arrive.
  const holder = new Subscription();
  holder.add(
    from(result as ObservableInput<Authorization>).subscribe({
      next: (auth) => {
        if (done) return;
        done = true;
        holder.unsubscribe();
        if (typeof auth !== 'object' || auth === null) {
          onError(new ValidationError('INVALID_CONFIG', `auth provider returned no authorization object for ${request.kind}`));
        } else onAuth(auth);
      },
      error: (e: unknown) => {
        if (done) return;
        done = true;
        onError(wrap(e, request));
      },
      complete: () => {
        if (done) return;
        done = true;
        onError(new ValidationError('INVALID_CONFIG', `auth provider completed without an authorization for ${request.kind}`));
      },
    }),
  );
  return done ? undefined : holder;
}

function isAsync(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string | symbol, unknown>;
  return (
    typeof v.then === 'function' ||
    typeof v.subscribe === 'function' ||
    typeof v[Symbol.asyncIterator] === 'function' ||
    typeof v[Symbol.iterator] === 'function' ||
    typeof v.getReader === 'function'
  );
}

function wrap(e: unknown, request: AuthRequest): AppSyncEventsError {
  if (AppSyncEventsError.is(e)) return e;
  const detail = e instanceof Error ? `: ${e.name}` : '';
  // The provider's message may quote a credential; only its error class name is kept.
  const err = new ValidationError('AUTH_PROVIDER_FAILED', `auth provider failed for ${request.kind}${detail}`);
  Object.defineProperty(err, 'cause', { value: e, enumerable: false });
  return err;
}
