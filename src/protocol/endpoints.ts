import { ValidationError } from '../errors';

/**
 * The two URLs of an Event API and the host that goes into every authorization object.
 *
 * @example
 * ```ts
 * import { resolveEndpoints } from 'appsync-events-rx/protocol';
 * const e = resolveEndpoints('abc.appsync-api.eu-west-1.amazonaws.com');
 * const value = e.realtimeUrl; // 'wss://abc.appsync-realtime-api.eu-west-1.amazonaws.com/event/realtime'
 * ```
 */
export interface ResolvedEndpoints {
  /** `https://<http-host>/event` (or `http://` for loopback/insecure). */
  readonly httpUrl: string;
  /** `wss://<realtime-host>/event/realtime` (or `ws://`). */
  readonly realtimeUrl: string;
  /** The HTTP host (with port when not default): the `host` of every authorization object. */
  readonly host: string;
}

const AWS_HOST = /^([a-z0-9]+)\.appsync-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/i;
const AWS_REALTIME_HOST = /^([a-z0-9]+)\.appsync-realtime-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/i;
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

/**
 * Derives both endpoints from what a user configures (protocol reference §1.1). `httpEndpoint`
 * may be an AppSync host (`<id>.appsync-api.<region>.amazonaws.com`), a URL (`https://…/event`),
 * or a custom domain. Without `realtimeEndpoint`, AWS hosts map `appsync-api` →
 * `appsync-realtime-api`; other hosts (custom domains, the emulator) serve both paths. An AWS
 * realtime host given as `httpEndpoint` is refused: it is never the right `host`.
 * Plain `http://`/`ws://` is accepted for loopback hosts, and elsewhere only with
 * `allowInsecure`. Throws {@link ValidationError} (`INVALID_CONFIG`) on anything else.
 *
 * @example
 * ```ts
 * import { resolveEndpoints } from 'appsync-events-rx/protocol';
 * resolveEndpoints('http://127.0.0.1:8080').realtimeUrl; // 'ws://127.0.0.1:8080/event/realtime'
 * ```
 */
export function resolveEndpoints(httpEndpoint: string, realtimeEndpoint?: string, allowInsecure = false): ResolvedEndpoints {
  const http = parseEndpoint(httpEndpoint, 'httpEndpoint', ['https:', 'http:'], allowInsecure);
  // The HTTP host goes into every authorization object (§1.3) and receives HTTP publishes; the
  // realtime host would be wrong for both, so say so instead of failing later with a 401.
  if (AWS_REALTIME_HOST.test(http.host)) {
    throw new ValidationError(
      'INVALID_CONFIG',
      `httpEndpoint must be the API's HTTP host (<id>.appsync-api.<region>...), not its realtime host: ${http.host}`,
    );
  }
  let realtime: { secure: boolean; host: string };
  if (realtimeEndpoint !== undefined && realtimeEndpoint !== '') {
    realtime = parseEndpoint(realtimeEndpoint, 'realtimeEndpoint', ['wss:', 'ws:', 'https:', 'http:'], allowInsecure);
  } else {
    const aws = AWS_HOST.exec(http.host);
    realtime = { secure: http.secure, host: aws ? http.host.replace('.appsync-api.', '.appsync-realtime-api.') : http.host };
  }
  return {
    httpUrl: `${http.secure ? 'https' : 'http'}://${http.host}/event`,
    realtimeUrl: `${realtime.secure ? 'wss' : 'ws'}://${realtime.host}/event/realtime`,
    host: http.host,
  };
}

function parseEndpoint(value: string, field: string, schemes: readonly string[], allowInsecure: boolean): { secure: boolean; host: string } {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError('INVALID_CONFIG', `${field} must be a non-empty string`);
  const text = value.includes('://') ? value.trim() : `https://${value.trim()}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError('INVALID_CONFIG', `${field} is not a valid host or URL: ${value}`);
  }
  if (!schemes.includes(url.protocol)) {
    throw new ValidationError('INVALID_CONFIG', `${field} must use ${schemes.join(' or ')}, got ${url.protocol}`);
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!secure && !allowInsecure && !LOOPBACK.test(url.host)) {
    throw new ValidationError(
      'INVALID_CONFIG',
      `${field} uses unencrypted ${url.protocol} for a non-loopback host; use TLS or set allowInsecure: true`,
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== '' && path !== '/event' && path !== '/event/realtime') {
    throw new ValidationError('INVALID_CONFIG', `${field} path must be empty, /event or /event/realtime, got ${url.pathname}`);
  }
  return { secure, host: url.host };
}
