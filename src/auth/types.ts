import type { ObservableInput } from 'rxjs';
import { ValidationError } from '../errors';
import type { Authorization } from '../protocol/messages';

/**
 * The error of an invalid configuration (`ValidationError` with reason `INVALID_CONFIG`), thrown by
 * the auth factories and the config checks (internal).
 *
 * @example
 * ```ts
 * throw configError('apiKeyAuth needs a non-empty API key');
 * ```
 */
export function configError(message: string): ValidationError {
  return new ValidationError('INVALID_CONFIG', message);
}

/**
 * True for an object whose values are all strings (or undefined): what an authorization object
 * and the config's `headers` must be. A number, a bigint or a nested object would be sent as
 * something else, or make the frame impossible to serialise after its request was registered.
 *
 * @example
 * ```ts
 * isStringRecord({ 'x-api-key': 'da2-…' }); // true
 * isStringRecord({ 'x-api-key': 42 }); // false
 * ```
 */
export function isStringRecord(value: unknown): boolean {
  return typeof value === 'object' && !!value && Object.values(value).every((v) => v === undefined || typeof v === 'string');
}

/**
 * What an authorization is requested for.
 *
 * @example
 * ```ts
 * import type { AuthRequestKind } from 'appsync-events-rx';
 * const k: AuthRequestKind = 'subscribe';
 * ```
 */
export type AuthRequestKind = 'connect' | 'subscribe' | 'publish' | 'http-publish';

/**
 * Everything an {@link AuthProvider} may need to build (or sign) one authorization: the kind of
 * request, the API's HTTP host, and the exact body that a SigV4 signature covers (protocol
 * reference §4.3): `{}` for the connection, `{"channel":…}` for subscribe,
 * `{"channel":…,"events":[…]}` for publish — the same strings that go on the wire.
 *
 * @example
 * ```ts
 * import type { AuthRequest } from 'appsync-events-rx';
 * const r: AuthRequest = { kind: 'connect', host: 'h.appsync-api.eu-west-1.amazonaws.com', httpUrl: 'https://h.appsync-api.eu-west-1.amazonaws.com/event', body: '{}' };
 * ```
 */
export interface AuthRequest {
  readonly kind: AuthRequestKind;
  /** The HTTP host (or custom domain), never the realtime host. */
  readonly host: string;
  /** `https://<host>/event`: the URL that IAM signatures cover. */
  readonly httpUrl: string;
  /** The channel, for subscribe and publish. */
  readonly channel?: string;
  /** The exact request body to sign. */
  readonly body: string;
}

/**
 * Produces the {@link Authorization} object for one request. Called anew for the connection
 * handshake and for every subscribe and publish, so rotating tokens and temporary credentials are
 * always fresh. May answer synchronously, with a Promise, or with an Observable (first value used).
 *
 * @example
 * ```ts
 * import type { AuthProvider } from 'appsync-events-rx';
 * const auth: AuthProvider = async ({ host }) => ({ host, Authorization: await session.currentToken() });
 * ```
 */
export type AuthProvider = (request: AuthRequest) => Authorization | PromiseLike<Authorization> | ObservableInput<Authorization>;
