import type { Subscriber } from 'rxjs';
import { MarshalError, ValidationError, type AppSyncEventsError } from '../errors';
import { parseChannel, type ChannelCheck } from '../protocol/channel';
import { MAX_EVENTS_PER_PUBLISH } from '../protocol/limits';
import { checkEventSize } from '../protocol/validate';

/**
 * Outcome of a publish, per event, by index in the caller's array (the seed's `[0 1]`).
 *
 * @example
 * ```ts
 * client.publish('/default/a', [{ a: 1 }, { b: 2 }]).subscribe((r) => console.log(r.successful)); // [0, 1]
 * ```
 */
export interface PublishResult {
  /** Indices of the events the service accepted, ascending. */
  readonly successful: readonly number[];
  /** Events the service refused individually, with its reason. */
  readonly failed: readonly PublishFailure[];
}

/**
 * An event refused individually (`publish_success.failed[]`).
 *
 * @example
 * ```ts
 * const f: PublishFailure = { index: 1, identifier: '7a2d…', code: 'EventTooLargeException', message: 'too large' };
 * ```
 */
export interface PublishFailure {
  /** Index in the caller's array. */
  readonly index: number;
  /** The server's identifier for the event. */
  readonly identifier?: string;
  /** The server's code, e.g. `EventTooLargeException`. */
  readonly code?: string;
  readonly message?: string;
}

/**
 * Events of one publish request (at most five), and where they start in the caller's array.
 *
 * @example
 * ```ts
 * import { preparePublish } from 'appsync-events-rx/protocol';
 * const [first] = preparePublish('/default/a', [1, 2]).batches; // { offset: 0, events: ['1', '2'] }
 * ```
 */
export interface EventBatch {
  readonly offset: number;
  readonly events: readonly string[];
}

/**
 * A validated publish: normalised channel and batches of encoded events.
 *
 * @example
 * ```ts
 * import { preparePublish } from 'appsync-events-rx/protocol';
 * const p = preparePublish('default/a/', [{ x: 1 }]); // { channel: '/default/a', batches: [...] }
 * ```
 */
export interface PreparedPublish {
  readonly channel: string;
  readonly batches: readonly EventBatch[];
}

/** The last channel string that parsed successfully, and its result (a pure function of the string). */
let lastChannel: string | undefined;
let lastCheck: Extract<ChannelCheck, { ok: true }> | undefined;

/**
 * Validates and encodes a publish before anything is sent: the channel (no wildcard), at least one
 * event, each event JSON-serialisable (serialised once) and at most 240 KB; splits the events into
 * batches of five. Throws {@link ValidationError} or {@link MarshalError}.
 *
 * @example
 * ```ts
 * import { preparePublish } from 'appsync-events-rx/protocol';
 * preparePublish('default/a', [1, 2, 3, 4, 5, 6]).batches.length; // 2
 * ```
 */
export function preparePublish(channel: string, events: readonly unknown[]): PreparedPublish {
  const path = publishChannel(channel);
  const encoded = encodeEvents(events);
  const batches: EventBatch[] = [];
  for (let offset = 0; offset < encoded.length; offset += MAX_EVENTS_PER_PUBLISH) {
    batches.push({ offset, events: batchAt(encoded, offset) });
  }
  return { channel: path, batches };
}

/**
 * The normalised path of a channel one may publish to (no wildcard); throws
 * {@link ValidationError}. The first half of {@link preparePublish}, for callers that do not need
 * the batches array (the WebSocket publish walks the encoded events itself).
 *
 * @example
 * ```ts
 * publishChannel('default/a/'); // '/default/a'
 * ```
 */
export function publishChannel(channel: string): string {
  const check = channel === lastChannel && lastCheck !== undefined ? lastCheck : parseChannel(channel);
  if (check.ok) {
    // Publishing to the same channel again and again is the common case: remember the last one.
    lastChannel = channel;
    lastCheck = check;
    return check.channel.path;
  }
  const wildcard = typeof channel === 'string' && /(^|\/)\*\/?$/.test(channel);
  throw new ValidationError(wildcard ? 'WILDCARD_NOT_ALLOWED' : 'INVALID_CHANNEL', wildcard ? `cannot publish to a wildcard channel (${channel})` : check.reason);
}

/**
 * Checks and encodes the events of a publish (the second half of {@link preparePublish}): at least
 * one, each JSON-serialisable (serialised once, here) and at most 240 KB. Throws
 * {@link ValidationError} or {@link MarshalError}.
 *
 * @example
 * ```ts
 * encodeEvents([{ a: 1 }]); // ['{"a":1}']
 * ```
 */
export function encodeEvents(events: readonly unknown[]): string[] {
  if (!Array.isArray(events)) throw new ValidationError('INVALID_ARGUMENT', 'events must be an array of JSON-serialisable values');
  if (events.length === 0) throw new ValidationError('NO_EVENTS', 'publish needs at least one event');
  const encoded: string[] = [];
  for (let i = 0; i < events.length; i++) {
    let text: string | undefined;
    try {
      text = JSON.stringify(events[i]);
    } catch (e) {
      throw new MarshalError(i, e);
    }
    if (typeof text !== 'string') throw new MarshalError(i, new TypeError(`${typeof events[i]} is not JSON-serialisable`));
    const tooLarge = checkEventSize(text);
    if (tooLarge) throw new ValidationError('EVENT_TOO_LARGE', `event ${i}: ${tooLarge.message}`, i);
    encoded.push(text);
  }
  return encoded;
}

/**
 * The events of the request that starts at `offset` (at most five): the array itself when it holds
 * a single request's worth, else a slice.
 *
 * @example
 * ```ts
 * batchAt(['1', '2', '3', '4', '5', '6'], 5); // ['6']
 * ```
 */
export function batchAt(encoded: readonly string[], offset: number): readonly string[] {
  return encoded.length <= MAX_EVENTS_PER_PUBLISH ? encoded : encoded.slice(offset, offset + MAX_EVENTS_PER_PUBLISH);
}

/** A `publish_success.failed[]` entry as the server sends it. */
type ServerFailure = { readonly index: number; readonly identifier?: string; readonly code?: string; readonly message?: string };

/** A server failure entry at its caller index, with only the fields the server gave (code as a string). */
function failure(offset: number, f: ServerFailure): PublishFailure {
  const entry: { index: number; identifier?: string; code?: string; message?: string } = { index: offset + f.index };
  if (f.identifier !== undefined) entry.identifier = f.identifier;
  if (f.code !== undefined) entry.code = String(f.code);
  if (f.message !== undefined) entry.message = f.message;
  return entry;
}

/**
 * The result of a publish that took a single request (at most five events, the common case),
 * built straight from its `publish_success` lists: what {@link PublishResultBuilder} would build,
 * without the builder, and sorting only when the server's order is not already ascending.
 *
 * @example
 * ```ts
 * singleRequestResult([{ index: 1 }, { index: 0 }], []); // { successful: [0, 1], failed: [] }
 * ```
 */
export function singleRequestResult(successful: readonly { index: number }[], failed: readonly ServerFailure[]): PublishResult {
  const ok: number[] = [];
  let sorted = true;
  for (let i = 0; i < successful.length; i++) {
    const index = (successful[i] as { index: number }).index;
    if (i > 0 && index < (ok[i - 1] as number)) sorted = false;
    ok.push(index);
  }
  if (!sorted) ok.sort((a, b) => a - b);
  const refused: PublishFailure[] = [];
  if (failed.length > 0) {
    for (const f of failed) refused.push(failure(0, f));
    refused.sort((a, b) => a.index - b.index);
  }
  return { successful: ok, failed: refused };
}

/**
 * Accumulates the per-batch results of one publish into caller indices (internal).
 *
 * @example
 * ```ts
 * const b = new PublishResultBuilder();
 * b.add(5, [{ index: 0 }], []);
 * b.build(); // { successful: [5], failed: [] }
 * ```
 */
export class PublishResultBuilder {
  private readonly successful: number[] = [];
  private readonly failed: PublishFailure[] = [];

  add(offset: number, successful: readonly { index: number }[], failed: readonly ServerFailure[]): void {
    for (const s of successful) this.successful.push(offset + s.index);
    for (const f of failed) this.failed.push(failure(offset, f));
  }

  build(): PublishResult {
    return { successful: this.successful.sort((a, b) => a - b), failed: this.failed.sort((a, b) => a.index - b.index) };
  }
}

/**
 * Sends one batch and reports its outcome; returns a function that cancels it.
 *
 * @example
 * ```ts
 * const send: BatchSender = (batch, onResult, onError) => { onResult([{ index: 0 }], []); return () => undefined; };
 * ```
 */
export type BatchSender = (
  batch: EventBatch,
  onResult: (successful: readonly { index: number }[], failed: readonly { index: number }[]) => void,
  onError: (error: AppSyncEventsError) => void,
) => () => void;

/**
 * Sends the batches of one publish one after the other (keeping the caller's order), merges their
 * results by caller index, and emits the merged result then completes — or errors with the first
 * failure. Shared by WebSocket and HTTP publish. Returns the teardown that cancels the batch in
 * flight.
 *
 * @example
 * ```ts
 * return new Observable<PublishResult>((subscriber) => sendBatches(prepared.batches, send, subscriber));
 * ```
 */
export function sendBatches(batches: readonly EventBatch[], send: BatchSender, subscriber: Subscriber<PublishResult>): () => void {
  const builder = new PublishResultBuilder();
  let cancel: (() => void) | undefined;
  const run = (k: number): void => {
    if (k === batches.length) {
      cancel = undefined;
      subscriber.next(builder.build());
      subscriber.complete();
      return;
    }
    const batch = batches[k] as EventBatch;
    cancel = send(
      batch,
      (successful, failed) => {
        builder.add(batch.offset, successful, failed);
        run(k + 1);
      },
      (error) => subscriber.error(error),
    );
  };
  run(0);
  return () => cancel?.();
}
