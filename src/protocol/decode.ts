import { scrubSecrets, UnsupportedMessageFormatError } from '../errors';
import { DEFAULT_CONNECTION_TIMEOUT_MS } from './limits';
import type { MessageError, ReceiveMessage, ReceiveMessageFailedEvent, SendMessage } from './messages';
import type { ProtocolViolation } from './validate';

type Json = Record<string, unknown>;

/**
 * Turns one inbound frame (the text of a WebSocket message) into a typed {@link ReceiveMessage},
 * or an {@link UnsupportedMessageFormatError} describing why it could not. Never throws, so it is
 * safe inside a socket listener. Hot path: a valid frame costs one `JSON.parse` and a few type
 * checks; the parsed object itself is returned.
 *
 * Leniency (protocol reference §2.5/§2.6): `data.event` given as a one-element array is unwrapped;
 * a missing, non-positive or non-finite `connectionTimeoutMs` (`1e400` parses as `Infinity`)
 * becomes 300000; missing `successful`/`failed`/`errors` become empty lists; an `errors[]` entry
 * without `errorType` becomes `"Unknown"`.
 *
 * @example
 * ```ts
 * import { UnsupportedMessageFormatError } from 'appsync-events-rx';
 * import { decodeReceiveMessage } from 'appsync-events-rx/protocol';
 * const m = decodeReceiveMessage('{"type":"ka"}');
 * if (!(m instanceof UnsupportedMessageFormatError)) console.log(m.type); // 'ka'
 * ```
 */
export function decodeReceiveMessage(frame: unknown): ReceiveMessage | UnsupportedMessageFormatError {
  if (typeof frame !== 'string') {
    return new UnsupportedMessageFormatError('binary frames are not part of the protocol', `<${describe(frame)}>`);
  }
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return bad('frame is not JSON', frame);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('frame is not a JSON object', frame);
  const m = value as Json;
  switch (m.type) {
    case 'data': {
      if (typeof m.id !== 'string') return bad('data frame without a string id', frame);
      if (typeof m.event === 'string') return m as unknown as ReceiveMessage;
      if (Array.isArray(m.event) && m.event.length === 1 && typeof m.event[0] === 'string') {
        return { type: 'data', id: m.id, event: m.event[0] };
      }
      return bad('data frame whose event is not a string', frame);
    }
    case 'ka':
      return m as unknown as ReceiveMessage;
    case 'publish_success': {
      if (typeof m.id !== 'string') return bad('publish_success without a string id', frame);
      const successful = eventIds(m.successful);
      const failed = eventIds(m.failed);
      if (!successful || !failed) return bad('publish_success with malformed successful/failed lists', frame);
      // Validated in place and the parsed object returned, like `data` and `ka` (one acknowledgement
      // per publish: no copy of it). Only a missing or null list is filled in, with [].
      if (successful !== m.successful) m.successful = successful;
      if (failed !== m.failed) m.failed = failed;
      return m as unknown as ReceiveMessage;
    }
    case 'subscribe_success':
    case 'unsubscribe_success':
      if (typeof m.id !== 'string') return bad(`${m.type} without a string id`, frame);
      return m as unknown as ReceiveMessage;
    case 'subscribe_error':
    case 'unsubscribe_error':
    case 'publish_error':
    case 'broadcast_error':
      if (typeof m.id !== 'string') return bad(`${m.type} without a string id`, frame);
      return { type: m.type, id: m.id, errors: errorList(m.errors) };
    case 'error':
      return typeof m.id === 'string' ? { type: 'error', id: m.id, errors: errorList(m.errors) } : { type: 'error', errors: errorList(m.errors) };
    case 'connection_error':
      return { type: 'connection_error', errors: errorList(m.errors) };
    case 'connection_ack': {
      const t = m.connectionTimeoutMs;
      return { type: 'connection_ack', connectionTimeoutMs: typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : DEFAULT_CONNECTION_TIMEOUT_MS };
    }
    default:
      return bad(typeof m.type === 'string' ? `unknown message type "${clip(m.type)}"` : 'frame without a string type', frame);
  }
}

/**
 * Result of {@link decodeSendMessage}: a typed client frame, or the violation to report with the
 * operation id when one could be read.
 *
 * @example
 * ```ts
 * import { decodeSendMessage } from 'appsync-events-rx/testing';
 * const r = decodeSendMessage('{"type":"unsubscribe","id":"a"}');
 * if (r.ok) console.log(r.message.type);
 * ```
 */
export type SendMessageDecodeResult =
  | { readonly ok: true; readonly message: SendMessage }
  | { readonly ok: false; readonly violation: ProtocolViolation; readonly id?: string; readonly type?: string };

/**
 * Decodes a frame sent by a client (used by the emulator). Checks the envelope only: JSON object,
 * known `type`, presence and types of the fields that type needs. Unknown extra fields (such as
 * amplify-js's legacy `payload`) are ignored. Id grammar, channel grammar and limits are checked
 * separately so that the reply can carry the right error type. Never throws.
 *
 * @example
 * ```ts
 * import { decodeSendMessage } from 'appsync-events-rx/testing';
 * decodeSendMessage('nope'); // { ok: false, violation: { errorType: 'BadRequestException', ... } }
 * ```
 */
export function decodeSendMessage(frame: unknown): SendMessageDecodeResult {
  if (typeof frame !== 'string') return reject('BadRequestException', 'Binary frames are not supported');
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return reject('BadRequestException', 'Frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject('BadRequestException', 'Frame is not a JSON object');
  const m = value as Json;
  const id = typeof m.id === 'string' ? m.id : undefined;
  const type = typeof m.type === 'string' ? m.type : undefined;
  switch (m.type) {
    case 'connection_init':
      return { ok: true, message: { type: 'connection_init' } };
    case 'unsubscribe':
      if (id === undefined) return reject('BadRequestException', 'unsubscribe requires a string id', id, type);
      return { ok: true, message: { type: 'unsubscribe', id } };
    case 'subscribe':
    case 'publish': {
      if (id === undefined) return reject('BadRequestException', `${m.type} requires a string id`, id, type);
      if (typeof m.channel !== 'string') return reject('BadRequestException', `${m.type} requires a string channel`, id, type);
      const auth = m.authorization;
      if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) {
        return reject('UnauthorizedException', `${m.type} requires an authorization object`, id, type);
      }
      const authorization = stringRecord(auth as Json);
      if (m.type === 'subscribe') return { ok: true, message: { type: 'subscribe', id, channel: m.channel, authorization } };
      if (!Array.isArray(m.events)) return reject('BadRequestException', 'publish requires an events array', id, type);
      if (!m.events.every((e) => typeof e === 'string')) {
        return reject('BadRequestException', 'Each event must be a string containing JSON', id, type);
      }
      return { ok: true, message: { type: 'publish', id, channel: m.channel, events: m.events as string[], authorization } };
    }
    default:
      return reject(
        'UnsupportedOperation',
        type === undefined ? 'Frame has no string type' : 'Operation not supported through the realtime channel',
        id,
        type,
      );
  }
}

function reject(errorType: string, message: string, id?: string, type?: string): SendMessageDecodeResult {
  const r: { ok: false; violation: ProtocolViolation; id?: string; type?: string } = { ok: false, violation: { errorType, message } };
  if (id !== undefined) r.id = id;
  if (type !== undefined) r.type = type;
  return r;
}

function stringRecord(o: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function eventIds(list: unknown): ReceiveMessageFailedEvent[] | undefined {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return undefined;
  for (const e of list) {
    if (typeof e !== 'object' || e === null || typeof (e as Json).index !== 'number') return undefined;
  }
  return list as ReceiveMessageFailedEvent[];
}

/**
 * Normalises a server's `errors[]` (of a frame or an HTTP publish reply): an entry without
 * `errorType` becomes `"Unknown"`, messages are scrubbed of credentials, a missing list is empty.
 *
 * @example
 * ```ts
 * errorList([{ errorType: 'BadRequestException', message: 'nope' }, 'odd']); // [..., { errorType: 'Unknown', message: 'odd' }]
 * ```
 */
export function errorList(list: unknown): MessageError[] {
  if (!Array.isArray(list)) return [];
  return list.map((e): MessageError => {
    // Scrubbed here, not only in ServerError: the decoded frame itself reaches `messages$` and
    // `broadcast_error` subscribers, and a SigV4 mismatch message quotes the session token.
    if (typeof e !== 'object' || e === null) return { errorType: 'Unknown', message: scrubSecrets(String(e)) };
    const o = e as Json;
    const out: { errorType: string; message?: string; errorCode?: number } = {
      errorType: typeof o.errorType === 'string' ? o.errorType : 'Unknown',
    };
    if (typeof o.message === 'string') out.message = scrubSecrets(o.message);
    if (typeof o.errorCode === 'number') out.errorCode = o.errorCode;
    return out;
  });
}

function bad(detail: string, frame: string): UnsupportedMessageFormatError {
  // The excerpt ends up in logs: scrub it like any server text (a SigV4 mismatch message quotes the
  // session token), and before clipping, so that a cut cannot hide a secret from the patterns.
  return new UnsupportedMessageFormatError(detail, clip(scrubSecrets(frame), 200));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
