import { ValidationError } from '../errors';
import { noFaults, type EmulatorHub } from './hub';
import type { EventApiFaults } from './types';

/**
 * Builds the `faults` controls of a running emulator over its shared state. Every control takes
 * effect immediately, for existing and new connections.
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
      hub.faults.refuseCount = Math.max(0, Math.floor(count));
      hub.faults.refuseStatus = status;
    },
    delayAcks(ms) {
      hub.faults.ackDelayMs = Math.max(0, ms);
    },
    delayReplies(ms) {
      hub.faults.replyDelayMs = Math.max(0, ms);
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
      hub.faults.expireCount = Math.max(0, Math.floor(count));
    },
    dropEvents(count) {
      hub.faults.dropEvents = Math.max(0, Math.floor(count));
    },
    duplicateEvents(count) {
      hub.faults.duplicateEvents = Math.max(0, Math.floor(count));
    },
    delayEvents(ms) {
      hub.faults.eventDelayMs = Math.max(0, ms);
    },
    reorderEvents(count) {
      hub.faults.reorderEvents = Math.max(0, Math.floor(count));
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
