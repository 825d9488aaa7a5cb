import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { IamCredentials } from '../auth/iam';
import { ValidationError } from '../errors';
import type { MessageError } from '../protocol/messages';
import type { IamVerifier } from './types';

/**
 * Options of {@link createIamVerifier}.
 *
 * @example
 * ```ts
 * import type { IamVerifierOptions } from 'appsync-events-rx/testing';
 * const options: IamVerifierOptions = { credentials: [{ accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' }], region: 'eu-west-1' };
 * ```
 */
export interface IamVerifierOptions {
  /**
   * The credentials the emulator knows, looked up by access key id. A credential with a
   * `sessionToken` only accepts requests that carry that same token (`x-amz-security-token`);
   * one without accepts only requests without a token.
   */
  readonly credentials: readonly IamCredentials[];
  /** Accept only signatures scoped to this region. @default any region */
  readonly region?: string;
  /** The signing name the credential scope must name. @default 'appsync' */
  readonly service?: string;
  /**
   * How far `x-amz-date` may be from `now()`, either way, like the service's 5 minutes.
   * @default 300000
   */
  readonly maxClockSkewMs?: number;
  /** The verifier's clock. Inject a fixed one in tests. @default () => new Date() */
  readonly now?: () => Date;
}

/** Exactly the text the service answers with (without the canonical request it appends). */
const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you provided.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const HEX_SIGNATURE = /^[0-9a-f]{64}$/;

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/**
 * Builds an {@link IamVerifier} for the emulator's `authorizers.iam` option: a real AWS Signature
 * Version 4 check of the IAM auth objects (protocol reference §4.3), not just a presence check.
 *
 * For each auth object it parses `authorization`
 * (`AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=…, Signature=…`),
 * looks the access key up in `credentials`, checks the session token, the credential scope and the
 * freshness of `x-amz-date` (±`maxClockSkewMs`), then recomputes the signature with the same signer
 * the SDK uses (`@smithy/signature-v4`, signing date = the request's `x-amz-date`) over
 * `POST /event`, the headers listed in `SignedHeaders` with the values in the auth object, and the
 * SHA-256 of `body`; signatures are compared in constant time.
 *
 * Answers, like the service: `undefined` when valid; `UnauthorizedException` for an unknown access
 * key or a missing/wrong session token; `BadRequestException` for a malformed header, a stale or
 * future date ("Signature expired: …"), or a signature mismatch ("The request signature we
 * calculated does not match the signature you provided."). Messages never contain a secret key,
 * session token or signature (unlike the real service, which quotes the canonical request).
 *
 * @example
 * ```ts
 * import { createIamVerifier, startEventApi } from 'appsync-events-rx/testing';
 *
 * const api = await startEventApi({
 *   authorizers: {
 *     iam: createIamVerifier({ credentials: [{ accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' }], region: 'eu-west-1' }),
 *   },
 * });
 * ```
 */
export function createIamVerifier(options: IamVerifierOptions): IamVerifier {
  const { credentials, region, service = 'appsync', maxClockSkewMs = 5 * 60_000, now = (): Date => new Date() } = options;
  if (!Array.isArray(credentials)) throw new ValidationError('INVALID_CONFIG', 'createIamVerifier needs a credentials array');
  if (!(Number.isFinite(maxClockSkewMs) && maxClockSkewMs >= 0)) throw new ValidationError('INVALID_CONFIG', 'createIamVerifier: maxClockSkewMs must be a non-negative number');
  const table = new Map<string, IamCredentials>();
  credentials.forEach((c: IamCredentials, index: number) => {
    if (typeof c?.accessKeyId !== 'string' || c.accessKeyId === '' || typeof c.secretAccessKey !== 'string' || c.secretAccessKey === '') {
      throw new ValidationError('INVALID_CONFIG', `createIamVerifier: credentials[${index}] needs a non-empty accessKeyId and secretAccessKey`);
    }
    if (table.has(c.accessKeyId)) throw new ValidationError('INVALID_CONFIG', `createIamVerifier: credentials[${index}] repeats an access key id`);
    table.set(c.accessKeyId, c);
  });

  return async (headers, body): Promise<MessageError | undefined> => {
    const authorization = headers['authorization'];
    if (authorization === undefined || authorization === '') {
      return unauthorized('Missing Authentication Token: the auth object has no authorization.');
    }
    const parsed = parseAuthorization(authorization);
    if (typeof parsed === 'string') return badRequest(parsed);

    if (parsed.service !== service) return badRequest(`Credential should be scoped to correct service: '${service}'.`);
    if (region !== undefined && parsed.region !== region) return badRequest('Credential should be scoped to a valid region.');
    if (!parsed.signedHeaders.includes('host')) return badRequest("'Host' must be a 'SignedHeader' in the AWS Authorization.");
    if (!parsed.signedHeaders.includes('x-amz-date')) return badRequest("Authorization header requires existence of a signed 'X-Amz-Date' header.");
    for (const name of parsed.signedHeaders) {
      if (headers[name] === undefined) return badRequest(`Signed header '${name}' is missing from the auth object.`);
    }

    const amzDate = headers['x-amz-date'] ?? '';
    const signedAt = parseAmzDate(amzDate);
    if (signedAt === undefined) return badRequest("X-Amz-Date must be in the ISO-8601 basic format 'YYYYMMDD'T'HHMMSS'Z'.");
    if (amzDate.slice(0, 8) !== parsed.scopeDate) {
      return badRequest(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.scopeDate}' != '${amzDate.slice(0, 8)}', from 'x-amz-date'.`);
    }
    const nowDate = now();
    const skew = describeSkew(maxClockSkewMs);
    if (signedAt.getTime() < nowDate.getTime() - maxClockSkewMs) {
      return badRequest(`Signature expired: ${amzDate} is now earlier than ${toAmzDate(nowDate.getTime() - maxClockSkewMs)} (${toAmzDate(nowDate.getTime())} - ${skew}.)`);
    }
    if (signedAt.getTime() > nowDate.getTime() + maxClockSkewMs) {
      return badRequest(`Signature not yet current: ${amzDate} is still later than ${toAmzDate(nowDate.getTime() + maxClockSkewMs)} (${toAmzDate(nowDate.getTime())} + ${skew}.)`);
    }

    const known = table.get(parsed.accessKeyId);
    if (known === undefined) return unauthorized(INVALID_TOKEN);
    const token = headers['x-amz-security-token'];
    const expectedToken = known.sessionToken ? known.sessionToken : undefined;
    if (expectedToken === undefined ? token !== undefined : token === undefined || !constantTimeEqual(token, expectedToken)) {
      return unauthorized(INVALID_TOKEN);
    }

    // A signed payload hash stands in for the body in the canonical request, so it must be the
    // body's, or any body would pass.
    const contentSha = headers['x-amz-content-sha256'];
    if (parsed.signedHeaders.includes('x-amz-content-sha256') && contentSha !== createHash('sha256').update(body, 'utf8').digest('hex')) {
      return badRequest("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }

    const expected = await computeSignature(parsed, headers, body, known, signedAt);
    return expected !== undefined && constantTimeEqual(expected, parsed.signature) ? undefined : badRequest(SIGNATURE_MISMATCH);
  };
}

async function computeSignature(
  parsed: ParsedAuthorization,
  headers: Readonly<Record<string, string>>,
  body: string,
  known: IamCredentials,
  signedAt: Date,
): Promise<string | undefined> {
  const tokenSigned = parsed.signedHeaders.includes('x-amz-security-token');
  const signer = new SignatureV4({
    service: parsed.service,
    region: parsed.region,
    // The signer adds `x-amz-security-token` itself when the credentials have one, so give it the
    // token only when the client signed it (its value was checked against `known` already).
    credentials: {
      accessKeyId: known.accessKeyId,
      secretAccessKey: known.secretAccessKey,
      ...(tokenSigned && known.sessionToken ? { sessionToken: known.sessionToken } : {}),
    },
    sha256: Sha256,
    applyChecksum: false,
  });
  const toSign: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    // `x-amz-date` is regenerated from the signing date, the token from the credentials.
    if (name !== 'x-amz-date' && name !== 'x-amz-security-token') toSign[name] = headers[name] as string;
  }
  const host = headers['host'] ?? 'localhost';
  const signed = await signer.sign(
    { method: 'POST', protocol: 'https:', hostname: host.replace(/:\d+$/, ''), path: '/event', query: {}, headers: toSign, body },
    // Sign exactly the listed headers, even those the signer would skip by default (`sec-*`, `user-agent`).
    { signingDate: signedAt, signableHeaders: new Set(parsed.signedHeaders) },
  );
  const header = signed.headers['authorization'] ?? '';
  return /Signature=([0-9a-f]{64})$/.exec(header)?.[1];
}

function parseAuthorization(value: string): ParsedAuthorization | string {
  const algorithm = 'AWS4-HMAC-SHA256 ';
  if (!value.startsWith(algorithm)) return "Authorization header must use the 'AWS4-HMAC-SHA256' algorithm.";
  const params = new Map<string, string>();
  for (const part of value.slice(algorithm.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = params.get('Credential');
  const signedHeaders = params.get('SignedHeaders');
  const signature = params.get('Signature');
  const missing = [credential === undefined ? "'Credential'" : '', signedHeaders === undefined ? "'SignedHeaders'" : '', signature === undefined ? "'Signature'" : '']
    .filter((s) => s !== '')
    .join(', ');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) return `Authorization header requires ${missing} parameter(s).`;
  const scope = credential.split('/');
  if (scope.length !== 5 || scope.some((s) => s === '') || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1] as string)) {
    return "Credential must have the form '<access key id>/<YYYYMMDD>/<region>/<service>/aws4_request'.";
  }
  if (!HEX_SIGNATURE.test(signature)) return 'Signature must be 64 lower-case hexadecimal characters.';
  const names = signedHeaders.split(';');
  if (names.some((n) => n === '')) return 'SignedHeaders must be a semicolon-separated list of header names.';
  const [accessKeyId, scopeDate, region, service] = scope as [string, string, string, string, string];
  return { accessKeyId, scopeDate, region, service, signedHeaders: names, signature };
}

function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Rejects impossible dates such as 20250231 (Date.UTC would roll them over).
  return toAmzDate(date.getTime()) === value ? date : undefined;
}

function toAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function describeSkew(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms} ms`;
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  // Length is not secret (signatures are fixed-length hex); timingSafeEqual needs equal lengths.
  return x.length === y.length && timingSafeEqual(x, y);
}

function badRequest(message: string): MessageError {
  return { errorType: 'BadRequestException', message };
}

function unauthorized(message: string): MessageError {
  return { errorType: 'UnauthorizedException', message };
}
