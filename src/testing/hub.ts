import { Subject } from 'rxjs';
import type { ChannelPath } from '../protocol/channel';
import { TimerSet } from './timers';
import type { Connection } from './connection';
import type { ResolvedOptions } from './options';
import type { EventApiStats, TrafficRecord } from './types';

/**
 * The state of every fault control (see `EventApiFaults` in `types.ts`); all off by default.
 *
 * @example
 * ```ts
 * import { noFaults } from './hub';
 * const faults = { ...noFaults(), withholdAcks: true };
 * ```
 */
export interface FaultState {
  keepAlivePaused: boolean;
  refuseCount: number;
  refuseStatus: number;
  ackDelayMs: number;
  replyDelayMs: number;
  withholdAcks: boolean;
  withholdReplies: boolean;
  expireCount: number;
  /** Events still to drop (not delivered to anyone; the publisher still sees success). */
  dropEvents: number;
  /** Events still to deliver twice. */
  duplicateEvents: number;
  /** Delay before each event is delivered (0: at once). */
  eventDelayMs: number;
  /** Size of the group of events to deliver in reverse order (0: off). */
  reorderEvents: number;
  /** Ignore an unsubscribe whose subscribe has not been answered yet. */
  ignoreEarlyUnsubscribe: boolean;
}

/**
 * A fresh {@link FaultState} with every fault off.
 *
 * @example
 * ```ts
 * import { noFaults } from './hub';
 * noFaults().refuseStatus; // 503
 * ```
 */
export function noFaults(): FaultState {
  return {
    keepAlivePaused: false,
    refuseCount: 0,
    refuseStatus: 503,
    ackDelayMs: 0,
    replyDelayMs: 0,
    withholdAcks: false,
    withholdReplies: false,
    expireCount: 0,
    dropEvents: 0,
    duplicateEvents: 0,
    eventDelayMs: 0,
    reorderEvents: 0,
    ignoreEarlyUnsubscribe: false,
  };
}

/**
 * What every part of one emulator instance shares: the resolved options, the open connections,
 * fault state, counters and the traffic stream. Broadcasting goes through here so that an event
 * published on any connection (or over HTTP) reaches every matching subscription.
 *
 * @example
 * ```ts
 * import { EmulatorHub } from './hub';
 * import { resolveOptions } from './options';
 * const hub = new EmulatorHub(resolveOptions({}));
 * hub.traffic.subscribe((t) => console.log(t.direction, t.type));
 * ```
 */
export class EmulatorHub {
  /** `127.0.0.1:<port>`, set once the server listens. */
  host = '';
  readonly connections = new Map<string, Connection>();
  readonly traffic = new Subject<TrafficRecord>();
  faults: FaultState = noFaults();
  private connectionCounter = 0;
  private connectionsOpened = 0;
  private httpPublishes = 0;
  private eventsPublished = 0;
  private eventsDropped = 0;
  private readonly received: Record<string, number> = {};
  private readonly sent: Record<string, number> = {};
  /** Events held back by the reorder fault, in arrival order. */
  private held: { channel: ChannelPath; event: string }[] = [];
  /** Delayed deliveries; cleared when the emulator closes. */
  readonly timers = new TimerSet();

  constructor(readonly config: ResolvedOptions) {}

  /** A new connection id (`c1`, `c2`, …), counted in `connectionsOpened`. */
  nextConnectionId(): string {
    this.connectionsOpened += 1;
    this.connectionCounter += 1;
    return `c${this.connectionCounter}`;
  }

  /** Records one WebSocket frame in `traffic$` and the per-type counters. */
  recordFrame(direction: 'in' | 'out', connectionId: string, raw: string, type: string, id?: string): void {
    const counters = direction === 'in' ? this.received : this.sent;
    counters[type] = (counters[type] ?? 0) + 1;
    this.traffic.next(id === undefined ? { direction, connectionId, type, raw } : { direction, connectionId, type, id, raw });
  }

  /** Counts frames sent without recording them in `traffic$` (the `burst` load hook). */
  countSent(type: string, count: number): void {
    this.sent[type] = (this.sent[type] ?? 0) + count;
  }

  /** Records an HTTP publish request (`in`) or its response body (`out`) in `traffic$`. */
  recordHttp(direction: 'in' | 'out', raw: string): void {
    if (direction === 'in') this.httpPublishes += 1;
    this.traffic.next({ direction, connectionId: 'http', type: 'http-publish', raw });
  }

  /** Consumes one `expireCredentials` count; true when this operation must fail as expired. */
  consumeExpiry(): boolean {
    if (this.faults.expireCount <= 0) return false;
    this.faults.expireCount -= 1;
    return true;
  }

  /**
   * Sends each event (in order) to every matching subscription of every connection, unless a
   * delivery fault says otherwise (drop, duplicate, delay, reorder — protocol reference §7.5/§10:
   * the service promises neither delivery nor order). Each event is counted once, in
   * `eventsDropped` when the drop fault discards it and in `eventsPublished` otherwise.
   */
  broadcast(channel: ChannelPath, events: readonly string[]): void {
    for (const event of events) this.route(channel, event);
  }

  /** Releases the events held by the reorder fault now, in reverse order (used by `reset()`). */
  releaseHeld(): void {
    const held = this.held;
    this.held = [];
    for (let i = held.length - 1; i >= 0; i--) this.deliver(held[i]!.channel, held[i]!.event);
  }

  private route(channel: ChannelPath, event: string): void {
    const f = this.faults;
    if (f.dropEvents > 0) {
      f.dropEvents -= 1;
      this.eventsDropped += 1;
      return;
    }
    this.eventsPublished += 1;
    let copies = 1;
    if (f.duplicateEvents > 0) {
      f.duplicateEvents -= 1;
      copies = 2;
    }
    for (let i = 0; i < copies; i++) {
      if (f.reorderEvents > 0) {
        this.held.push({ channel, event });
        if (this.held.length >= f.reorderEvents) {
          f.reorderEvents = 0;
          this.releaseHeld();
        }
      } else {
        this.deliver(channel, event);
      }
    }
  }

  private deliver(channel: ChannelPath, event: string): void {
    const send = (): void => {
      for (const connection of this.connections.values()) connection.deliver(channel, [event]);
    };
    if (this.faults.eventDelayMs > 0) this.timers.timeout(send, this.faults.eventDelayMs);
    else send();
  }

  /** Snapshot of the counters. */
  stats(): EventApiStats {
    let subscriptions = 0;
    for (const connection of this.connections.values()) subscriptions += connection.subscriptionCount;
    return {
      connectionsOpened: this.connectionsOpened,
      connectionsOpen: this.connections.size,
      subscriptions,
      received: { ...this.received },
      sent: { ...this.sent },
      httpPublishes: this.httpPublishes,
      eventsPublished: this.eventsPublished,
      eventsDropped: this.eventsDropped,
    };
  }
}
