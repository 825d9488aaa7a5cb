import { EVENT_WS_SUBPROTOCOL } from '../protocol/limits';
import type { Authorization } from '../protocol/messages';

/**
 * Encodes an authorization object as the `header-<base64url>` WebSocket subprotocol (protocol
 * reference §1.2): JSON, UTF-8, Base64 with the URL-safe alphabet and no `=` padding. Unlike
 * `btoa(JSON.stringify(x))` it handles any Unicode. Works in browsers and Node.
 *
 * @example
 * ```ts
 * import { encodeHeaderSubprotocol } from 'appsync-events-rx/protocol';
 * encodeHeaderSubprotocol({ host: 'h', 'x-api-key': 'k' }); // 'header-eyJob3N0Ijoia...'
 * ```
 */
export function encodeHeaderSubprotocol(authorization: Authorization): string {
  return connectionSubprotocols(authorization)[1];
}

/**
 * The two subprotocols a connection offers: `aws-appsync-event-ws` and the `header-` token.
 *
 * @example
 * ```ts
 * import { connectionSubprotocols, resolveEndpoints } from 'appsync-events-rx/protocol';
 * const { realtimeUrl, host } = resolveEndpoints('example.appsync-api.eu-west-1.amazonaws.com');
 * const ws = new WebSocket(realtimeUrl, connectionSubprotocols({ host, 'x-api-key': 'da2-…' }));
 * ```
 */
export function connectionSubprotocols(authorization: Authorization): [string, string] {
  return [EVENT_WS_SUBPROTOCOL, `header-${base64UrlEncode(JSON.stringify(authorization))}`];
}

/**
 * UTF-8 → Base64url without padding (RFC 4648 §5).
 *
 * @example
 * ```ts
 * import { base64UrlEncode } from 'appsync-events-rx/protocol';
 * base64UrlEncode('{}'); // 'e30'
 * ```
 */
export function base64UrlEncode(text: string): string {
  let binary = '';
  // One byte at a time: String.fromCharCode(...bytes) would hit the argument-count limit on long text.
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Base64url (padded or not, standard alphabet accepted too) → UTF-8 text. Throws on invalid input.
 *
 * @example
 * ```ts
 * import { base64UrlDecode } from 'appsync-events-rx/testing';
 * base64UrlDecode('e30'); // '{}'
 * ```
 */
export function base64UrlDecode(encoded: string): string {
  const b64 = encoded.replace(/-/g, '+').replace(/_/g, '/');
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/**
 * The body a WebSocket `subscribe` or `publish` is signed over with SigV4 (protocol reference
 * §4.3): `{"channel":…,"events":[…]}` (no `events` for a subscribe), compact, with `<`, `>` and `&`
 * written `\u003c`, `\u003e` and `\u0026`. Over WebSocket the service has no body to hash and
 * rebuilds it from the frame; a payload with `<` or `>` signed as is fails with a signature
 * mismatch there, while the same publish over HTTP works (observed: aws-appsync-community #400).
 * That it re-serialises with HTML-safe escaping is inferred [INF]; this follows the reference's
 * suggestion. Over HTTP the body is signed exactly as sent, unescaped.
 *
 * @example
 * ```ts
 * import { webSocketSignedBody } from 'appsync-events-rx/protocol';
 * webSocketSignedBody('/default/a', ['{"html":"<b>"}']); // '{"channel":"/default/a","events":["{\"html\":\"\u003cb\u003e\"}"]}'
 * ```
 */
export function webSocketSignedBody(channel: string, events?: readonly string[]): string {
  return JSON.stringify({ channel, events }).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}
