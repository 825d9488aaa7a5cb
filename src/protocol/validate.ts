import { MAX_EVENTS_PER_PUBLISH, MAX_EVENT_BYTES, OPERATION_ID_PATTERN } from './limits';

/**
 * A rule broken by a frame or an argument, described the way the service would: an `errorType`
 * from protocol reference §2.6 and a human-readable message.
 *
 * @example
 * ```ts
 * import { checkOperationId } from 'appsync-events-rx/protocol';
 * const v = checkOperationId('has space');
 * const refusal = v && `${v.errorType}: ${v.message}`;
 * ```
 */
export interface ProtocolViolation {
  readonly errorType: string;
  readonly message: string;
}

/**
 * Checks an operation id against `^[a-zA-Z0-9-_+]{1,128}$`.
 *
 * @example
 * ```ts
 * import { checkOperationId } from 'appsync-events-rx/protocol';
 * checkOperationId('abc-123'); // undefined: valid
 * ```
 */
export function checkOperationId(id: unknown): ProtocolViolation | undefined {
  if (typeof id !== 'string') return badRequest('Operation id must be a string');
  if (!OPERATION_ID_PATTERN.test(id)) return badRequest(`Operation id must match ${OPERATION_ID_PATTERN} (got ${id.length} characters)`);
  return undefined;
}

/**
 * Checks the number of events in one publish request: at least one, at most five.
 *
 * @example
 * ```ts
 * import { checkEventCount } from 'appsync-events-rx/testing';
 * checkEventCount(6)?.message; // 'A publish request carries 1 to 5 events, got 6'
 * ```
 */
export function checkEventCount(count: number): ProtocolViolation | undefined {
  // `!(…)` so that NaN and fractions are refused too: every comparison with NaN is false.
  if (!(Number.isInteger(count) && count >= 1 && count <= MAX_EVENTS_PER_PUBLISH)) {
    return badRequest(`A publish request carries 1 to ${MAX_EVENTS_PER_PUBLISH} events, got ${count}`);
  }
  return undefined;
}

/**
 * Checks the size of one encoded event (UTF-8 bytes ≤ {@link MAX_EVENT_BYTES}). The service reports
 * this per event, with code `EventTooLargeException`.
 *
 * @example
 * ```ts
 * import { checkEventSize } from 'appsync-events-rx/protocol';
 * checkEventSize('{"a":1}'); // undefined
 * ```
 */
export function checkEventSize(encoded: string): ProtocolViolation | undefined {
  // Cheap pre-check: a string can never take more than 3 UTF-8 bytes per UTF-16 unit. Past it (an
  // event of 80K+ characters), the native encoder counts faster than a loop over the string; it
  // gives the same count as utf8ByteLength (lone surrogates become U+FFFD: 3 bytes).
  const bytes = encoded.length * 3 > MAX_EVENT_BYTES ? new TextEncoder().encode(encoded).length : 0;
  return bytes > MAX_EVENT_BYTES
    ? { errorType: 'EventTooLargeException', message: `Event is ${bytes} bytes (max ${MAX_EVENT_BYTES}, 240 KB)` }
    : undefined;
}

/**
 * Checks that a published event string holds valid JSON (any JSON value).
 *
 * @example
 * ```ts
 * import { checkEventJson } from 'appsync-events-rx/testing';
 * checkEventJson('hi')?.errorType; // 'BadRequestException'
 * ```
 */
export function checkEventJson(event: unknown): ProtocolViolation | undefined {
  if (typeof event !== 'string') return badRequest('Each event must be a string containing JSON');
  try {
    JSON.parse(event);
    return undefined;
  } catch {
    return badRequest('Each event must be a string containing valid JSON');
  }
}

function badRequest(message: string): ProtocolViolation {
  return { errorType: 'BadRequestException', message };
}
