import { clip, excerpt, scrubSecrets, UnsupportedMessageFormatError } from '../errors';
import { DEFAULT_CONNECTION_TIMEOUT_MS } from './limits';
import type { MessageError, ReceiveMessage, SendMessage } from './messages';
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
 * const type = m instanceof UnsupportedMessageFormatError ? undefined : m.type; // 'ka'
 * ```
 */
export function decodeReceiveMessage(frame: unknown): ReceiveMessage | UnsupportedMessageFormatError {
  if (!isString(frame)) return bad('frame is not text', `<${describe(frame)}>`);
  let m: Json;
  try {
    m = JSON.parse(frame);
  } catch {
    return bad('frame is not JSON', frame);
  }
  // `null`, numbers, strings and arrays have no `type` either: one message for all of them.
  const type = m?.type;
  if (!isString(type)) return bad('frame is not a JSON object with a string type', frame);
  // A number only for an own entry: `constructor`, `__proto__` and the like are unknown types.
  const shape = RECEIVE_SHAPES[type];
  if (typeof shape !== 'number') return bad(`unknown message type "${clip(scrubSecrets(type))}"`, frame);
  const id = m.id;
  if (shape & Shape.Id && !isString(id)) return bad(`${type} without a string id`, frame);
  if (shape & Shape.Errors) {
    // Rebuilt: only the fields of the type, errors normalised; a non-string `id` (of `error` or
    // `connection_error`, which need none) is dropped.
    const errors = errorList(m.errors);
    return (isString(id) ? { type, id, errors } : { type, errors }) as ReceiveMessage;
  }
  if (type === 'data') {
    let event = m.event;
    // Leniency: a one-element array is unwrapped, in place (the parsed object is returned).
    if (Array.isArray(event) && event.length === 1) m.event = event = event[0];
    if (!isString(event)) return bad('data event is not a string', frame);
  }
  if (type === 'publish_success') {
    // Validated in place and the parsed object returned, like `data` and `ka` (one acknowledgement
    // per publish: no copy of it). Only a missing or null list is filled in, with [].
    for (const key of EVENT_LISTS) {
      const list = (m[key] ??= []);
      if (!Array.isArray(list) || !list.every(hasIndex)) return bad('publish_success has a malformed successful/failed list', frame);
    }
  }
  if (type === 'connection_ack') {
    const timeout = m.connectionTimeoutMs as number;
    // `isFinite` refuses non-numbers and `1e400` (Infinity); NaN is not finite either.
    return { type, connectionTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_CONNECTION_TIMEOUT_MS };
  }
  return m as unknown as ReceiveMessage;
}

// Module constants, so that decoding an acknowledgement allocates nothing of its own.
const EVENT_LISTS = ['successful', 'failed'] as const;
/**
 * An entry of a publish result's `successful` or `failed` list: an object with a numeric `index`.
 *
 * @example
 * ```ts
 * [{ index: 0 }, { index: 1 }].every(hasIndex); // true
 * ```
 */
export const hasIndex = (entry: unknown): boolean => typeof (entry as Json | null)?.index === 'number';

/** What decoding checks for one server message type (bit flags, combined in {@link RECEIVE_SHAPES}). */
const enum Shape {
  /** Returned as parsed (`ka`), or checked by its own branch (`data`, `publish_success`, `connection_ack`). */
  Plain = 0,
  /** A string `id` is required. */
  Id = 1,
  /** `errors[]` is normalised and the frame rebuilt with only `type`, `id` and `errors`. */
  Errors = 2,
}

/** Every server message type (protocol reference §2.4) with its {@link Shape}. */
const RECEIVE_SHAPES: Readonly<Record<string, Shape>> = {
  ka: Shape.Plain,
  connection_ack: Shape.Plain,
  connection_error: Shape.Errors,
  error: Shape.Errors,
  data: Shape.Id,
  publish_success: Shape.Id,
  subscribe_success: Shape.Id,
  unsubscribe_success: Shape.Id,
  subscribe_error: Shape.Id | Shape.Errors,
  unsubscribe_error: Shape.Id | Shape.Errors,
  publish_error: Shape.Id | Shape.Errors,
  broadcast_error: Shape.Id | Shape.Errors,
};

/**
 * Result of {@link decodeSendMessage}: a typed client frame, or the violation to report with the
 * operation id when one could be read.
 *
 * @example
 * ```ts
 * import { decodeSendMessage } from 'appsync-events-rx/testing';
 * const r = decodeSendMessage('{"type":"unsubscribe","id":"a"}');
 * const type = r.ok ? r.message.type : r.violation.errorType; // 'unsubscribe'
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
  return list.map((entry): MessageError => {
    // A non-object entry becomes the message of an "Unknown" error.
    const { errorType, message, errorCode }: Json = typeof entry === 'object' && entry ? entry : { message: String(entry) };
    // Scrubbed here, not only in ServerError: the decoded frame itself reaches `messages$` and
    // `broadcast_error` subscribers, and a SigV4 mismatch message quotes the session token.
    return {
      errorType: isString(errorType) ? errorType : 'Unknown',
      ...(isString(message) && { message: scrubSecrets(message) }),
      ...(typeof errorCode === 'number' && { errorCode }),
    };
  });
}

function bad(detail: string, frame: string): UnsupportedMessageFormatError {
  // The excerpt ends up in logs: scrub it like any server text (a SigV4 mismatch message quotes the
  // session token), and before clipping, so that a cut cannot hide a secret from the patterns.
  // Scrubbed before it is cut (a secret across the cut is still found), but never the whole of a huge frame.
  return new UnsupportedMessageFormatError(detail, excerpt(frame));
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function describe(value: unknown): string {
  return value === null ? 'null' : (typeof value === 'object' && value.constructor?.name) || typeof value;
}
