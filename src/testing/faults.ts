import { ValidationError } from '../errors';
import { noFaults, type EmulatorHub } from './hub';
import type { EventApiFaults } from './types';

/**
 * Builds the `faults` controls of a running emulator over its shared state. Every control takes
 * effect immediately, for existing and new connections. Bad arguments (a negative or `NaN` delay,
 * a close code that cannot be sent, an HTTP status outside 400-599) throw {@link ValidationError}
 * (`INVALID_ARGUMENT`) before anything changes.
 *
 * @example
 * ```ts
 * import { createFaults } from './faults';
 * const faults = createFaults(hub);
 * faults.withholdAcks(true);
 * ```
 */
export function createFaults(hub: EmulatorHub): EventApiFaults {
  return {
    dropConnections(options = {}) {
      checkCloseCode(options.code);
      checkCloseReason(options.reason);
      for (const connection of [...hub.connections.values()]) {
        if (options.terminate) connection.terminate();
        else connection.close(options.code ?? 1000, options.reason ?? '');
      }
    },
    pauseKeepAlive() {
      hub.faults.keepAlivePaused = true;
    },
    resumeKeepAlive() {
      hub.faults.keepAlivePaused = false;
    },
    refuseConnections(count, status = 503) {
      if (!Number.isInteger(status) || status < 400 || status > 599) {
        throw new ValidationError('INVALID_ARGUMENT', `refuseConnections needs an HTTP error status (400-599), got ${status}`);
      }
      hub.faults.refuseCount = countOf('refuseConnections', count);
      hub.faults.refuseStatus = status;
    },
    delayAcks(ms) {
      hub.faults.ackDelayMs = checkDelay('delayAcks', ms);
    },
    delayReplies(ms) {
      hub.faults.replyDelayMs = checkDelay('delayReplies', ms);
    },
    withholdAcks(withhold) {
      hub.faults.withholdAcks = withhold;
    },
    withholdReplies(withhold) {
      hub.faults.withholdReplies = withhold;
    },
    sendRaw(frame, connectionId) {
      if (connectionId === undefined) {
        for (const connection of hub.connections.values()) connection.sendRaw(frame);
        return;
      }
      const connection = hub.connections.get(connectionId);
      if (!connection) throw new ValidationError('INVALID_ARGUMENT', `sendRaw: no open connection with id ${connectionId}`);
      connection.sendRaw(frame);
    },
    expireCredentials(count) {
      hub.faults.expireCount = countOf('expireCredentials', count);
    },
    dropEvents(count) {
      hub.faults.dropEvents = countOf('dropEvents', count);
    },
    duplicateEvents(count) {
      hub.faults.duplicateEvents = countOf('duplicateEvents', count);
    },
    delayEvents(ms) {
      hub.faults.eventDelayMs = checkDelay('delayEvents', ms);
    },
    reorderEvents(count) {
      const next = countOf('reorderEvents', count);
      // A new count starts afresh: what an earlier call still holds is released first (reversed),
      // so that 0 really turns the fault off and nothing stays held for ever.
      hub.releaseHeld();
      hub.faults.reorderEvents = next;
    },
    ignoreEarlyUnsubscribe(ignore) {
      hub.faults.ignoreEarlyUnsubscribe = ignore;
    },
    reset() {
      hub.faults = noFaults();
      hub.releaseHeld();
    },
  };
}

/**
 * A fault delay: 0 or more milliseconds; anything above 2^31-1 ms (such as `Infinity`) means
 * "never" (see `TimerSet`). `NaN` and negative values are refused before the fault changes.
 */
function checkDelay(control: string, ms: unknown): number {
  if (typeof ms !== 'number' || !(ms >= 0)) {
    throw new ValidationError('INVALID_ARGUMENT', `${control} needs a delay in milliseconds, 0 or more (Infinity: never), got ${String(ms)}`);
  }
  return ms;
}

/**
 * Close codes a server may send in a close frame (RFC 6455 §7.4, and what `ws` accepts): 1004 is
 * reserved; 1005, 1006 and 1015 are only ever reported locally. Checked before any connection is
 * touched (ws would throw a `TypeError` from inside the loop).
 */
function checkCloseCode(code: unknown): void {
  if (code === undefined) return;
  const valid = typeof code === 'number' && Number.isInteger(code) && ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999));
  if (valid) return;
  const hint =
    code === 1006
      ? '1006 is what a client reports when the connection is cut without a close frame: use dropConnections({ terminate: true }), without a code, for that'
      : 'or { terminate: true } to cut the connections without a close frame (the client sees 1006)';
  throw new ValidationError('INVALID_ARGUMENT', `dropConnections: close code ${String(code)} cannot be sent in a close frame; use 1000-1003, 1007-1014 or 3000-4999 (RFC 6455 §7.4); ${hint}`);
}

/** A close reason must fit the close frame: at most 123 bytes of UTF-8. */
function checkCloseReason(reason: unknown): void {
  if (reason === undefined) return;
  if (typeof reason !== 'string') throw new ValidationError('INVALID_ARGUMENT', `dropConnections: reason must be a string, got ${typeof reason}`);
  const bytes = Buffer.byteLength(reason, 'utf8');
  if (bytes > 123) throw new ValidationError('INVALID_ARGUMENT', `dropConnections: reason is ${bytes} bytes of UTF-8; a close frame holds at most 123 bytes`);
}

/** A fault's count: a whole number >= 0 (a negative, fractional or NaN count is a mistake, not 0). */
function countOf(fault: string, count: number): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw new ValidationError('INVALID_ARGUMENT', `${fault} needs a whole number >= 0, got ${String(count)}`);
  }
  return count;
}
