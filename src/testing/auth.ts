import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { base64UrlDecode } from '../auth/header';
import { EVENT_WS_SUBPROTOCOL } from '../protocol/limits';
import type { MessageError } from '../protocol/messages';
import { TOKEN_MODES, type ResolvedOptions, type TokenMode } from './options';
import type { AuthMode, AuthorizationContext, TokenValidatorResult } from './types';

/**
 * The error every credential failure reports (protocol reference §2.4, the service's wording).
 *
 * @example
 * ```ts
 * import { UNAUTHORIZED } from './auth';
 * const frame = { type: 'connection_error', errors: [{ ...UNAUTHORIZED, errorCode: 401 }] };
 * ```
 */
export const UNAUTHORIZED: MessageError = { errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' };

/**
 * The `strictHost` check of one operation (WebSocket subscribe/publish, HTTP publish): with
 * `strictHost` on, an auth object that carries a `host` (any key case; IAM always does) other than
 * the emulator's own is refused like bad credentials. `undefined` when the host is acceptable
 * (`strictHost` off, no `host` in the object, or the emulator's host). The error names the expected
 * host, never the credentials.
 *
 * @example
 * ```ts
 * import { strictHostRefusal } from './auth';
 * const refused = strictHostRefusal(config, hub.host, message.authorization);
 * if (refused) return fail(refused);
 * ```
 */
export function strictHostRefusal(
  config: ResolvedOptions,
  expectedHost: string,
  auth: Readonly<Record<string, string | undefined>>,
): MessageError | undefined {
  if (!config.strictHost) return undefined;
  const host = lowerCaseKeys(auth)['host'];
  if (host === undefined || host === expectedHost) return undefined;
  return { errorType: UNAUTHORIZED.errorType, message: `${UNAUTHORIZED.message ?? ''} (the host must be ${expectedHost} with strictHost)` };
}

/**
 * Outcome of checking one authorization object: the mode that accepted it and the identity that
 * handlers see, or the error and the HTTP status to report (401 bad/missing credentials, 403 mode
 * not allowed or rejected signature).
 *
 * @example
 * ```ts
 * import type { AuthOutcome } from './auth';
 * const denied: AuthOutcome = { ok: false, status: 401, error: { errorType: 'UnauthorizedException' } };
 * ```
 */
export type AuthOutcome =
  | { readonly ok: true; readonly mode: AuthMode; readonly identity: Record<string, unknown> | null }
  | { readonly ok: false; readonly status: 401 | 403; readonly error: MessageError };

/**
 * What to authorize: the auth object (any key case), the modes allowed here, what it is for, the
 * exact body an IAM signature covers, and a hook consulted once the mode is found allowed (the
 * `expireCredentials` fault: returns true to fail as if the credentials had expired).
 *
 * @example
 * ```ts
 * import type { AuthRequestCheck } from './auth';
 * const check: AuthRequestCheck = { auth: { 'x-api-key': 'da2-…' }, allowedModes: ['API_KEY'], context: { kind: 'connect' }, iamBody: '{}' };
 * ```
 */
export interface AuthRequestCheck {
  readonly auth: Readonly<Record<string, string | undefined>>;
  readonly allowedModes: readonly AuthMode[];
  readonly context: AuthorizationContext;
  readonly iamBody: string;
  readonly expired?: () => boolean;
}

/**
 * Lower-cases the keys of an auth object or header map (the service treats them
 * case-insensitively, §4.2). Only string values are kept.
 *
 * @example
 * ```ts
 * import { lowerCaseKeys } from './auth';
 * lowerCaseKeys({ Authorization: 't' }); // { authorization: 't' }
 * ```
 */
export function lowerCaseKeys(record: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (typeof value === 'string') out[key.toLowerCase()] = value;
  }
  return out;
}

/**
 * Node's request headers as a flat string map: repeated headers joined with `, `, `cookie` left out
 * (AppSync never exposes it to handlers, §5).
 *
 * @example
 * ```ts
 * import { headerRecord } from './auth';
 * headerRecord({ 'x-api-key': 'k', cookie: 'c' }); // { 'x-api-key': 'k' }
 * ```
 */
export function headerRecord(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(headers)) {
    if (key === 'cookie') continue;
    const value = headers[key];
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.join(', ');
  }
  return out;
}

/**
 * Connect authorization read from a WebSocket upgrade request.
 *
 * @example
 * ```ts
 * import type { ConnectAuth } from './auth';
 * const c: ConnectAuth = { auth: { host: '127.0.0.1:1', 'x-api-key': 'k' }, offersEventProtocol: true, source: 'subprotocol' };
 * ```
 */
export interface ConnectAuth {
  /** The auth object with lower-cased keys, or `undefined` when it could not be read. */
  readonly auth: Record<string, string> | undefined;
  /** Whether the client offered `aws-appsync-event-ws`. */
  readonly offersEventProtocol: boolean;
  /** Where the auth object came from. */
  readonly source: 'subprotocol' | 'headers';
}

/**
 * Splits a `Sec-WebSocket-Protocol` header into its offered tokens.
 *
 * @example
 * ```ts
 * import { offeredSubprotocols } from './auth';
 * offeredSubprotocols('aws-appsync-event-ws, header-e30'); // ['aws-appsync-event-ws', 'header-e30']
 * ```
 */
export function offeredSubprotocols(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/**
 * Decodes the auth object of a `header-<base64url>` subprotocol token. Tolerates `=` padding, the
 * standard Base64 alphabet and trailing whitespace or a newline inside the JSON (the docs' `echo |
 * base64` example, §1.2). Returns `undefined` when the token is not a JSON object.
 *
 * @example
 * ```ts
 * import { decodeHeaderToken } from './auth';
 * decodeHeaderToken('header-eyJ4LWFwaS1rZXkiOiJrIn0'); // { 'x-api-key': 'k' }
 * ```
 */
export function decodeHeaderToken(token: string): Record<string, string> | undefined {
  const encoded = token.slice('header-'.length).replace(/=+$/, '');
  try {
    const value: unknown = JSON.parse(base64UrlDecode(encoded));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return lowerCaseKeys(value as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

/**
 * Reads the connect authorization of an upgrade request: from the `header-` subprotocol when one
 * is offered, else from the request's own HTTP headers (what the native Swift/Android clients do,
 * §1.2).
 *
 * @example
 * ```ts
 * import { readConnectAuth } from './auth';
 * server.on('upgrade', (req) => console.log(readConnectAuth(req).source));
 * ```
 */
export function readConnectAuth(req: IncomingMessage): ConnectAuth {
  const offered = offeredSubprotocols(req.headers['sec-websocket-protocol']);
  const offersEventProtocol = offered.includes(EVENT_WS_SUBPROTOCOL);
  const token = offered.find((p) => p.startsWith('header-'));
  if (token !== undefined) return { auth: decodeHeaderToken(token), offersEventProtocol, source: 'subprotocol' };
  return { auth: headerRecord(req.headers), offersEventProtocol, source: 'headers' };
}

/**
 * Checks one authorization object against the configured authorizers, in this order: credentials
 * present (else 401) → a configured mode can read them (else 401) → that mode is allowed here (else
 * 403) → not expired by the `expireCredentials` fault (else 401) → the credentials themselves (API
 * key in the list, token accepted by its validator, IAM verifier passes; else 401, or the IAM
 * verifier's own error with 403). A token validator accepts only by answering `true` or an object
 * whose `isAuthorized` is `true`; anything else (`false`, `null`, `undefined`, any other value, a
 * throw, a rejection) is a refusal. An IAM verifier that throws, or answers something other than
 * `undefined` or an error object, refuses with the generic 401. Never rejects: an unexpected
 * failure is a 401 refusal too.
 *
 * @example
 * ```ts
 * import { authorize } from './auth';
 * const outcome = await authorize(config, { auth: { 'x-api-key': key }, allowedModes: ['API_KEY'], context: { kind: 'connect' }, iamBody: '{}' });
 * ```
 */
export async function authorize(config: ResolvedOptions, check: AuthRequestCheck): Promise<AuthOutcome> {
  try {
    return await checkAuthorization(config, check);
  } catch {
    // Validators and verifiers are already isolated; this covers anything else (e.g. an answer
    // object whose getters throw), so that no caller is ever left with a rejected promise.
    return { ok: false, status: 401, error: UNAUTHORIZED };
  }
}

async function checkAuthorization(config: ResolvedOptions, check: AuthRequestCheck): Promise<AuthOutcome> {
  const auth = lowerCaseKeys(check.auth);
  const apiKey = auth['x-api-key'];
  const authorization = auth['authorization'];
  const candidates: AuthMode[] = [];
  if (apiKey !== undefined && apiKey !== '') candidates.push('API_KEY');
  if (authorization !== undefined && authorization !== '') {
    if (authorization.startsWith('AWS4-HMAC-SHA256')) candidates.push('AWS_IAM');
    else candidates.push(...TOKEN_MODES);
  }
  if (candidates.length === 0) return { ok: false, status: 401, error: UNAUTHORIZED };
  const usable = candidates.filter((m) => config.configuredModes.includes(m));
  if (usable.length === 0) return { ok: false, status: 401, error: UNAUTHORIZED };
  const allowed = usable.filter((m) => check.allowedModes.includes(m));
  if (allowed.length === 0) {
    return {
      ok: false,
      status: 403,
      error: { errorType: 'UnauthorizedException', message: `You are not authorized to make this call. (auth mode ${usable.join('/')} is not allowed here)` },
    };
  }
  if (check.expired?.()) {
    return { ok: false, status: 401, error: { errorType: 'UnauthorizedException', message: 'You are not authorized to make this call. (the token has expired)' } };
  }
  let iamError: MessageError | undefined;
  for (const mode of allowed) {
    if (mode === 'API_KEY') {
      if (config.apiKeys.includes(apiKey as string)) return { ok: true, mode, identity: null };
    } else if (mode === 'AWS_IAM') {
      const verifier = config.iam;
      if (!verifier) continue;
      const error = await settle(() => verifier(auth, check.iamBody, check.context));
      if (error.ok && error.value === undefined) return { ok: true, mode, identity: iamIdentity(authorization as string) };
      iamError = error.ok ? verifierError(error.value) : UNAUTHORIZED;
    } else {
      const validator = config.tokenValidators[mode];
      if (!validator) continue;
      const token = (authorization as string).replace(/^Bearer\s+/i, '');
      const answer = await settle(() => validator(token, check.context));
      if (!answer.ok) continue;
      const accepted = acceptedAnswer(answer.value);
      if (accepted) return { ok: true, mode, identity: tokenIdentity(mode, accepted) };
    }
  }
  if (iamError) return { ok: false, status: iamError.errorType === 'UnauthorizedException' ? 401 : 403, error: iamError };
  return { ok: false, status: 401, error: UNAUTHORIZED };
}

async function settle<T>(fn: () => T | PromiseLike<T>): Promise<{ ok: true; value: T } | { ok: false }> {
  try {
    return { ok: true, value: await fn() };
  } catch {
    return { ok: false };
  }
}

/**
 * The accepting form of a validator's answer, or `undefined` for a refusal: only `true` and an
 * object whose `isAuthorized` is `true` accept (validators written in plain JavaScript may answer
 * `null`, `undefined` or anything else, which all refuse, like `false`).
 */
function acceptedAnswer(value: unknown): TokenValidatorResult | undefined {
  if (value === true) return { isAuthorized: true };
  if (typeof value !== 'object' || value === null) return undefined;
  const answer = value as { readonly isAuthorized?: unknown; readonly handlerContext?: unknown };
  if (answer.isAuthorized !== true) return undefined;
  const context = answer.handlerContext;
  return typeof context === 'object' && context !== null && !Array.isArray(context)
    ? { isAuthorized: true, handlerContext: context as Record<string, unknown> }
    : { isAuthorized: true };
}

/** An IAM verifier's refusal as a `MessageError`: anything but an error object is the generic 401. */
function verifierError(value: unknown): MessageError {
  if (typeof value !== 'object' || value === null) return UNAUTHORIZED;
  const { errorType, message } = value as { readonly errorType?: unknown; readonly message?: unknown };
  if (typeof errorType !== 'string') return UNAUTHORIZED;
  const { errorCode } = value as { readonly errorCode?: unknown };
  return {
    errorType,
    ...(typeof message === 'string' ? { message } : {}),
    ...(typeof errorCode === 'number' ? { errorCode } : {}),
  };
}

function tokenIdentity(mode: TokenMode, result: TokenValidatorResult): Record<string, unknown> {
  const context = result.handlerContext ?? {};
  if (mode === 'AWS_LAMBDA') return { handlerContext: context };
  const sub = context['sub'];
  return typeof sub === 'string' ? { sub, claims: context } : { claims: context };
}

function iamIdentity(authorization: string): Record<string, unknown> {
  // Only the access key id (a public identifier, never the secret or the signature).
  const match = /Credential=([^/,\s]+)\//.exec(authorization);
  return match ? { accessKeyId: match[1] } : {};
}
