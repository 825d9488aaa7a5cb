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

// An AWS host (`URL` gives hosts in lower case); group 1 is set for the realtime one.
const AWS_HOST = /^[a-z0-9]+\.appsync-(realtime-)?api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
// Matched against the host name, without the port (`URL` normalises IPv4 addresses).
const LOOPBACK = /^(localhost|127(\.\d+){3}|\[::1\])$/;
// Empty, `/event` or `/event/realtime`, with any trailing slashes.
const PATH = /^(\/event(\/realtime)?)?\/*$/;

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
  const [httpTls, host] = parseEndpoint(httpEndpoint, 'httpEndpoint', ['https:', 'http:'], allowInsecure);
  const aws = AWS_HOST.exec(host);
  // The HTTP host goes into every authorization object (§1.3) and receives HTTP publishes; the
  // realtime host would be wrong for both, so say so instead of failing later with a 401.
  if (aws?.[1]) throw new ValidationError('INVALID_CONFIG', `httpEndpoint must be the appsync-api host, got ${host}`);
  // An empty `realtimeEndpoint` means "derive it", like a missing one. The id of an AWS host is
  // alphanumeric, so the first `appsync-api` is the service label.
  const [realtimeTls, realtimeHost] = realtimeEndpoint
    ? parseEndpoint(realtimeEndpoint, 'realtimeEndpoint', ['wss:', 'ws:', 'https:', 'http:'], allowInsecure)
    : [httpTls, aws ? host.replace('appsync-api', 'appsync-realtime-api') : host];
  return { httpUrl: `http${httpTls}://${host}/event`, realtimeUrl: `ws${realtimeTls}://${realtimeHost}/event/realtime`, host };
}

/** Checks one configured endpoint; returns `'s'` for TLS (`https:`/`wss:`) or `''`, and the host. */
function parseEndpoint(value: string, field: string, schemes: readonly string[], allowInsecure: boolean): [tls: string, host: string] {
  const invalid = (problem: string) => new ValidationError('INVALID_CONFIG', `${field} ${problem}`);
  let url: URL;
  try {
    // Not a string, empty or blank: `https://` alone, which is not a valid URL either.
    const text = typeof value === 'string' ? value.trim() : '';
    url = new URL(text.includes('://') ? text : `https://${text}`);
  } catch {
    // Quoted without what could be credentials: a query or fragment, and anything before an `@`.
    throw invalid(`is not a valid host or URL: ${String(value).replace(/[?#].*/, '…').replace(/^.*@/, '…@')}`);
  }
  const { protocol, host, hostname, pathname } = url;
  // Credentials or parameters in the URL would be dropped silently: refused, without repeating them.
  if (url.username || url.password || url.search || url.hash) throw invalid('must not contain a user name, password, query or fragment');
  if (!schemes.includes(protocol)) throw invalid(`must use ${schemes.join(' or ')}, got ${protocol}`);
  const tls = /^(https|wss):$/.test(protocol) ? 's' : '';
  if (!tls && !allowInsecure && !LOOPBACK.test(hostname)) throw invalid(`must use TLS for a non-loopback host (or allowInsecure: true), got ${protocol}`);
  if (!PATH.test(pathname)) throw invalid(`path must be empty, /event or /event/realtime, got ${pathname}`);
  return [tls, host];
}
