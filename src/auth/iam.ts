import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Observable } from 'rxjs';
// Not in src/rx.ts: only this entry uses it (see there); same fast-loading path.
import { defer } from 'rxjs/internal/observable/defer';
import { ValidationError, withProviderError } from '../errors';
import type { Authorization } from '../protocol/messages';
import type { AuthProvider, AuthRequest } from './types';

/**
 * AWS credentials for SigV4 signing. Structurally the same as the AWS SDK v3
 * `AwsCredentialIdentity`, so what an SDK credential provider resolves to can be passed as is.
 * `sessionToken` is present for temporary credentials (STS, Cognito identity pools, SSO, roles).
 *
 * @example
 * ```ts
 * import type { IamCredentials } from 'appsync-events-rx/iam';
 * const creds: IamCredentials = { accessKeyId: 'AKIA…', secretAccessKey: '…' };
 * ```
 */
export interface IamCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Only for temporary credentials; signed as `x-amz-security-token`. */
  readonly sessionToken?: string;
}

/**
 * A function that resolves credentials, synchronously or as a Promise. Any AWS SDK v3 credential
 * provider fits (`fromNodeProviderChain()`, `fromCognitoIdentityPool(...)`, `fromTemporaryCredentials(...)`):
 * those cache and refresh by themselves, so calling one for every request is cheap.
 *
 * @example
 * ```ts
 * import type { IamCredentialsProvider } from 'appsync-events-rx/iam';
 * import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
 * const provider: IamCredentialsProvider = fromNodeProviderChain();
 * ```
 */
export type IamCredentialsProvider = () => IamCredentials | PromiseLike<IamCredentials>;

/**
 * Options of {@link iamAuth}.
 *
 * @example
 * ```ts
 * import type { IamAuthOptions } from 'appsync-events-rx/iam';
 * const options: IamAuthOptions = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIA…', secretAccessKey: '…' } };
 * ```
 */
export interface IamAuthOptions {
  /**
   * The API's region (`eu-west-1`). Required: with a custom domain it cannot be read from the host,
   * and a wrong region only shows up as a signature mismatch on the server.
   */
  readonly region: string;
  /**
   * Static credentials, or a provider evaluated anew for **every** connection attempt and every
   * operation, so rotating and temporary credentials are always current.
   */
  readonly credentials: IamCredentials | IamCredentialsProvider;
  /**
   * The signing name of the service.
   * @default 'appsync'
   */
  readonly service?: string;
  /**
   * The clock used for `x-amz-date`. Only for deterministic tests: the service rejects signatures
   * more than 5 minutes off its own clock.
   * @default () => new Date()
   */
  readonly signingDate?: () => Date;
}

/**
 * The credentials could not be obtained for signing: the credential provider threw or rejected, or
 * it resolved to something without an access key id and secret. The message names only the kind of
 * failure (and the provider error's `name`), never a key, token or the provider's own message; the
 * original error is kept on the non-enumerable `providerError` for debugging (left out by
 * `console.log`, `util.inspect`, `JSON.stringify` and `String`).
 *
 * It is a {@link ValidationError}, and nothing was sent: reason `AUTH_PROVIDER_FAILED` when the
 * provider threw or rejected (a connection retries it, as for a token getter: the provider may be
 * offline while the network is), `INVALID_CONFIG` when it answered nothing usable.
 *
 * @example
 * ```ts
 * import { IamCredentialsError } from 'appsync-events-rx/iam';
 * client.connect().catch((e) => { if (e instanceof IamCredentialsError) console.error('no AWS credentials:', e.message); });
 * ```
 */
export class IamCredentialsError extends ValidationError {
  override readonly name: string = 'IamCredentialsError';
  /**
   * @param providerError What the credentials provider threw (kept as the non-enumerable
   *   `providerError`, never printed).
   * @param reason `AUTH_PROVIDER_FAILED` when the provider failed (it may be offline: retried for
   *   the connection, like a token getter that failed), `INVALID_CONFIG` when it answered nothing
   *   usable.
   */
  constructor(message: string, providerError?: unknown, reason: 'INVALID_CONFIG' | 'AUTH_PROVIDER_FAILED' = providerError === undefined ? 'INVALID_CONFIG' : 'AUTH_PROVIDER_FAILED') {
    super(reason, message);
    if (providerError !== undefined) withProviderError(this, providerError);
  }
}

// The constant headers of protocol reference §4.3 (the values the AWS documentation uses).
const SIGNED_CONSTANT_HEADERS = {
  accept: 'application/json, text/javascript',
  'content-encoding': 'amz-1.0',
  'content-type': 'application/json; charset=UTF-8',
} as const;

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/**
 * IAM authorization (`AWS_IAM` mode): signs every request with AWS Signature Version 4, using the
 * maintained `@smithy/signature-v4` signer (the one inside the AWS SDK).
 *
 * What is signed (protocol reference §4.3) is a virtual `POST` to the API's HTTP endpoint
 * (`https://<http-host>/event`) with the headers `accept: application/json, text/javascript`,
 * `content-encoding: amz-1.0`, `content-type: application/json; charset=UTF-8`, `host`,
 * `x-amz-date` and, for temporary credentials, `x-amz-security-token`; the body is `{}` for the
 * connection, `{"channel":…}` for subscribe and `{"channel":…,"events":[…]}` for publish — exactly
 * what {@link AuthRequest.body} carries. The returned authorization object holds every signed
 * header (lower-case names) plus `authorization`.
 *
 * Credentials given as a function are evaluated for every connection attempt and every operation.
 * Lives in the separate entry point `appsync-events-rx/iam`, so applications that don't use IAM
 * don't bundle the signer.
 *
 * @throws {@link ValidationError} (`INVALID_CONFIG`) when `region` or `credentials` is missing or
 * malformed. The returned provider fails with {@link IamCredentialsError} when the credential
 * provider fails.
 *
 * @example
 * ```ts
 * import { createEventsClient } from 'appsync-events-rx';
 * import { iamAuth } from 'appsync-events-rx/iam';
 * import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
 *
 * const client = createEventsClient({
 *   httpEndpoint: 'https://example.appsync-api.eu-west-1.amazonaws.com/event',
 *   auth: iamAuth({ region: 'eu-west-1', credentials: fromNodeProviderChain() }),
 * });
 * ```
 */
export function iamAuth(options: IamAuthOptions): AuthProvider {
  if (typeof options !== 'object' || options === null) throw new ValidationError('INVALID_CONFIG', 'iamAuth needs options { region, credentials }');
  const { region, credentials, service = 'appsync', signingDate } = options;
  if (typeof region !== 'string' || region === '') throw new ValidationError('INVALID_CONFIG', 'iamAuth needs the API region, e.g. "eu-west-1"');
  if (!NAME_PATTERN.test(region)) throw new ValidationError('INVALID_CONFIG', 'iamAuth: region must look like "eu-west-1" (lower-case letters, digits and dashes)');
  if (typeof service !== 'string' || !NAME_PATTERN.test(service)) throw new ValidationError('INVALID_CONFIG', 'iamAuth: service must be a signing name like "appsync"');
  if (signingDate !== undefined && typeof signingDate !== 'function') throw new ValidationError('INVALID_CONFIG', 'iamAuth: signingDate must be a function returning a Date');
  if (credentials === undefined || credentials === null) throw new ValidationError('INVALID_CONFIG', 'iamAuth needs credentials (static keys or a credential provider)');
  if (typeof credentials !== 'function') {
    if (typeof credentials !== 'object' || !isUsable(credentials)) {
      throw new ValidationError('INVALID_CONFIG', 'iamAuth: credentials need a non-empty accessKeyId and secretAccessKey');
    }
  }
  const clock = signingDate ?? ((): Date => new Date());

  return (request: AuthRequest): Observable<Authorization> =>
    defer(async () => {
      const resolved = await resolveCredentials(credentials);
      return signAuthRequest(request, resolved, region, service, clock());
    });
}

async function resolveCredentials(source: IamCredentials | IamCredentialsProvider): Promise<IamCredentials> {
  if (typeof source !== 'function') return source;
  let value: unknown;
  try {
    value = await source();
  } catch (error) {
    // Only the error's class name: a provider's message is not ours to vouch for.
    const kind = error instanceof Error && error.name ? ` (${error.name})` : '';
    throw new IamCredentialsError(`iamAuth: the credentials provider failed${kind}`, error, 'AUTH_PROVIDER_FAILED');
  }
  if (!isUsable(value)) throw new IamCredentialsError('iamAuth: the credentials provider returned no accessKeyId/secretAccessKey');
  return value;
}

function isUsable(value: unknown): value is IamCredentials {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Partial<Record<keyof IamCredentials, unknown>>;
  return (
    typeof c.accessKeyId === 'string' &&
    c.accessKeyId !== '' &&
    typeof c.secretAccessKey === 'string' &&
    c.secretAccessKey !== '' &&
    (c.sessionToken === undefined || c.sessionToken === null || typeof c.sessionToken === 'string')
  );
}

async function signAuthRequest(request: AuthRequest, credentials: IamCredentials, region: string, service: string, date: Date): Promise<Authorization> {
  if (typeof request.host !== 'string' || request.host === '') throw new ValidationError('INVALID_ARGUMENT', 'iamAuth: the request has no host to sign');
  if (typeof request.body !== 'string') throw new ValidationError('INVALID_ARGUMENT', 'iamAuth: the request has no body to sign');
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new ValidationError('INVALID_CONFIG', 'iamAuth: signingDate did not return a valid Date');
  let url: URL;
  try {
    url = new URL(request.httpUrl);
  } catch {
    throw new ValidationError('INVALID_ARGUMENT', 'iamAuth: the request has no valid httpUrl to sign');
  }

  const signer = new SignatureV4({
    service,
    region,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      // An empty token is no token (the signer treats it the same way).
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    sha256: Sha256,
    // No `x-amz-content-sha256` header: §4.3's canonical request does not have one, and the
    // service hashes the body itself.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname || '/event',
      query: {},
      // `host` is the HTTP host with its port, exactly as in the auth object (§1.3).
      headers: { ...SIGNED_CONSTANT_HEADERS, host: request.host },
      body: request.body,
    },
    { signingDate: date },
  );

  const headers = lowerCaseKeys(signed.headers);
  const authorization = headers['authorization'];
  const signedList = authorization === undefined ? undefined : /SignedHeaders=([^,\s]+)/.exec(authorization)?.[1];
  if (authorization === undefined || signedList === undefined) throw new Error('iamAuth: the signer produced no authorization header');

  // Every header the signature covers goes into the auth object, with the value that was signed;
  // the service recomputes the signature over exactly `SignedHeaders` (§4.2).
  const out: Record<string, string> = {};
  for (const name of signedList.split(';')) {
    const value = headers[name];
    if (value === undefined) throw new Error(`iamAuth: signed header ${name} is missing from the signed request`);
    out[name] = value;
  }
  out['authorization'] = authorization;
  return out;
}

function lowerCaseKeys(headers: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}
