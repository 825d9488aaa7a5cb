/**
 * Documented limits of the AppSync Events API (protocol reference §6.1). The client validates
 * against them before sending anything and the emulator enforces them, so the two never disagree.
 *
 * @example
 * ```ts
 * import { MAX_EVENTS_PER_PUBLISH } from 'appsync-events-rx/protocol';
 * const value = MAX_EVENTS_PER_PUBLISH; // 5
 * ```
 */
export const MAX_EVENTS_PER_PUBLISH = 5;

/**
 * Largest event, in UTF-8 bytes. The service says "240 KB"; we read KB as 1024 bytes (the binary
 * unit AWS quota pages use), so 245,760 bytes. [UNK whether it is 240,000; the larger reading
 * never rejects something the service would accept, and the service still has the last word.]
 *
 * @example
 * ```ts
 * import { MAX_EVENT_BYTES } from 'appsync-events-rx/protocol';
 * const value = MAX_EVENT_BYTES; // 245760
 * ```
 */
export const MAX_EVENT_BYTES: number = 245_760; // 240 × 1024

/**
 * Most subscriptions one WebSocket connection may hold (the 201st is refused).
 *
 * @example
 * ```ts
 * import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from 'appsync-events-rx/protocol';
 * const value = MAX_SUBSCRIPTIONS_PER_CONNECTION; // 200
 * ```
 */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 200;

/**
 * Most segments in a channel path, the namespace and a trailing `*` included.
 *
 * @example
 * ```ts
 * import { MAX_CHANNEL_SEGMENTS } from 'appsync-events-rx/protocol';
 * const value = MAX_CHANNEL_SEGMENTS; // 5
 * ```
 */
export const MAX_CHANNEL_SEGMENTS = 5;

/**
 * Longest channel segment, in characters.
 *
 * @example
 * ```ts
 * import { MAX_SEGMENT_LENGTH } from 'appsync-events-rx/protocol';
 * const value = MAX_SEGMENT_LENGTH; // 50
 * ```
 */
export const MAX_SEGMENT_LENGTH = 50;

/**
 * Operation id grammar: 1–128 characters of letters, digits, `-`, `_` and `+` (§3).
 *
 * @example
 * ```ts
 * import { OPERATION_ID_PATTERN } from 'appsync-events-rx/protocol';
 * OPERATION_ID_PATTERN.test('V1StGXR8_Z5jdHi6B-myT'); // true
 * ```
 */
export const OPERATION_ID_PATTERN = /^[a-zA-Z0-9_+-]{1,128}$/;

/**
 * `connectionTimeoutMs` that the service sends in `connection_ack`, and the client's fallback when
 * an ack omits it.
 *
 * @example
 * ```ts
 * import { DEFAULT_CONNECTION_TIMEOUT_MS } from 'appsync-events-rx/protocol';
 * const value = DEFAULT_CONNECTION_TIMEOUT_MS; // 300000
 * ```
 */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 300_000;

/**
 * Interval at which the service sends `ka` frames.
 *
 * @example
 * ```ts
 * import { DEFAULT_KEEP_ALIVE_INTERVAL_MS } from 'appsync-events-rx/protocol';
 * const value = DEFAULT_KEEP_ALIVE_INTERVAL_MS; // 60000
 * ```
 */
export const DEFAULT_KEEP_ALIVE_INTERVAL_MS = 60_000;

/**
 * WebSocket publish requests allowed per connection per second.
 *
 * @example
 * ```ts
 * import { MAX_WS_PUBLISH_PER_SECOND } from 'appsync-events-rx/protocol';
 * const value = MAX_WS_PUBLISH_PER_SECOND; // 25
 * ```
 */
export const MAX_WS_PUBLISH_PER_SECOND = 25;

// 24 hours, written out: a bundler keeps an unused `24 * 60 * 60 * 1000` in every application's
// bundle (it does not treat arithmetic as free of side effects), where it drops an unused literal.
// The `: number` keeps the declared type (a bare literal would be typed `86400000`).
/**
 * Longest life of one WebSocket connection; the service closes it after that.
 *
 * @example
 * ```ts
 * import { MAX_CONNECTION_AGE_MS } from 'appsync-events-rx/protocol';
 * const value = MAX_CONNECTION_AGE_MS / 3_600_000; // 24
 * ```
 */
export const MAX_CONNECTION_AGE_MS: number = 86_400_000;

/**
 * The WebSocket subprotocol every Event API connection offers and the server selects.
 *
 * @example
 * ```ts
 * import { EVENT_WS_SUBPROTOCOL } from 'appsync-events-rx/protocol';
 * const value = EVENT_WS_SUBPROTOCOL; // 'aws-appsync-event-ws'
 * ```
 */
export const EVENT_WS_SUBPROTOCOL = 'aws-appsync-event-ws';

/**
 * Number of UTF-8 bytes needed to encode `text`, computed without allocating (works in browsers
 * and Node). Lone surrogates count as 3 bytes, as `TextEncoder` replaces them with U+FFFD.
 *
 * @example
 * ```ts
 * import { utf8ByteLength } from 'appsync-events-rx/protocol';
 * utf8ByteLength('héllo'); // 6
 * ```
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one: one code point, 4 bytes for the pair (past the end,
    // `charCodeAt` is NaN and the test fails). A lone surrogate counts 3, like any unit >= 0x800.
    if ((c & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return bytes;
}
