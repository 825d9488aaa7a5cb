import type { Subscriber } from 'rxjs';
import { MarshalError, PartialPublishError, ValidationError, type AppSyncEventsError } from '../errors';
import { requireChannel } from '../protocol/channel';
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
 * import type { PublishFailure } from 'appsync-events-rx';
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

/** The last channel string that was valid for publishing, and its path (a pure function of the string). */
let lastChannel: string | undefined;
let lastPath = '';

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
  // `!lastPath`: before the first valid channel, `lastChannel` is undefined, and so may `channel` be
  // (JavaScript callers).
  if (channel !== lastChannel || !lastPath) {
    // Publishing to the same channel again and again is the common case: the last one is remembered.
    lastPath = requireChannel(channel).path;
    lastChannel = channel;
  }
  if (!Array.isArray(events)) throw new ValidationError('INVALID_ARGUMENT', 'events must be an array');
  if (!events.length) throw new ValidationError('NO_EVENTS', 'no events to publish');
  // Arrays of the exact length (new Array, slice): a publish in flight holds them.
  const encoded = new Array<string>(events.length);
  // A plain loop: it visits holes too (as undefined, which is refused), and Array.from with a
  // mapping function costs several times more per call.
  for (let index = 0; index < events.length; index++) {
    const event: unknown = events[index];
    let text: string;
    try {
      text = JSON.stringify(event);
      // JSON.stringify gives undefined for undefined, functions and symbols: the type is the reason.
      if (typeof text !== 'string') throw new TypeError(typeof event);
    } catch (e) {
      throw new MarshalError(index, e);
    }
    const tooLarge = checkEventSize(text);
    if (tooLarge) throw new ValidationError('EVENT_TOO_LARGE', `event ${index}: ${tooLarge.message}`, index);
    encoded[index] = text;
  }
  const batches = new Array<EventBatch>(Math.ceil(encoded.length / MAX_EVENTS_PER_PUBLISH));
  for (let offset = 0; offset < encoded.length; offset += MAX_EVENTS_PER_PUBLISH) {
    // One request's worth (the common case) needs no copy.
    const events = batches.length > 1 ? encoded.slice(offset, offset + MAX_EVENTS_PER_PUBLISH) : encoded;
    batches[offset / MAX_EVENTS_PER_PUBLISH] = { offset, events };
  }
  return { channel: lastPath, batches };
}

/** A `publish_success.failed[]` entry as the server sends it. */
type ServerFailure = { readonly index: number; readonly identifier?: string; readonly code?: string; readonly message?: string };

/** The result of a publish while its requests' results come in: caller indices, in arrival order. */
export interface MergedResult {
  readonly successful: number[];
  readonly failed: PublishFailure[];
}

/**
 * Adds the result of the request whose events start at `offset` in the caller's array (checked
 * with {@link coversEvents} first). Of each failure only the fields the server gave as text or a
 * number are kept, as strings.
 *
 * @example
 * ```ts
 * const result: MergedResult = { successful: [], failed: [] };
 * addResults(result, 5, [{ index: 0 }], [{ index: 1, code: 400 }]); // successful [5], failed [{ index: 6, code: '400' }]
 * ```
 */
export function addResults(result: MergedResult, offset: number, successful: readonly { index: number }[], failed: readonly ServerFailure[]): void {
  for (const s of successful) result.successful.push(offset + s.index);
  for (const given of failed) {
    const entry: Record<string, unknown> = { index: offset + given.index };
    for (const key of ['identifier', 'code', 'message'] as const) {
      const value: unknown = given[key];
      // Text or a number only: an object would be "[object Object]" at best, a throw at worst.
      if (typeof value === 'string' || typeof value === 'number') entry[key] = String(value);
    }
    result.failed.push(entry as unknown as PublishFailure);
  }
}

/**
 * True when the results of a request of `count` events give each event exactly one outcome: every
 * index a whole number from 0 to `count - 1`, none twice (in either list), none missing. Anything
 * else would report an event that was not sent, or leave one without an outcome.
 *
 * @example
 * ```ts
 * coversEvents([{ index: 0 }], [{ index: 1 }], 2); // true
 * coversEvents([{ index: 0 }], [], 2); // false: event 1 has no outcome
 * ```
 */
export function coversEvents(successful: readonly { index: number }[], failed: readonly { index: number }[], count: number): boolean {
  // A request has at most five events: one bit each.
  let seen = 0;
  let outcomes = 0;
  for (const list of [successful, failed]) {
    for (const { index } of list) {
      const bit = 1 << index;
      if (!(index >= 0 && index < count && index % 1 === 0) || seen & bit) return false;
      seen |= bit;
      outcomes++;
    }
  }
  return outcomes === count;
}

/**
 * Emits the merged result, both lists sorted by caller index (whatever the server's order), and
 * completes.
 *
 * @example
 * ```ts
 * completeWith(subscriber, { successful: [2, 0], failed: [] }); // next({ successful: [0, 2], failed: [] }), complete()
 * ```
 */
export function completeWith(subscriber: Subscriber<PublishResult>, result: MergedResult): void {
  subscriber.next(sorted(result));
  subscriber.complete();
}

/**
 * Fails a publish with `error`; when some of its requests were answered already (`result`), with a
 * {@link PartialPublishError} that carries their results.
 *
 * @example
 * ```ts
 * failWith(subscriber, '/default/a', new TimeoutError('publish', 15000), { successful: [0, 1, 2, 3, 4], failed: [] });
 * ```
 */
export function failWith(subscriber: Subscriber<PublishResult>, channel: string, error: AppSyncEventsError, result: MergedResult | undefined): void {
  subscriber.error(result ? new PartialPublishError(channel, sorted(result), error) : error);
}

/** Both lists sorted by caller index (whatever the server's order), in place: the merged result is the publish's own. */
function sorted(result: MergedResult): MergedResult {
  result.successful.sort((a, b) => a - b);
  result.failed.sort((a, b) => a.index - b.index);
  return result;
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
 * failure. Used by HTTP publish. Returns the teardown that cancels the batch in flight.
 *
 * @example
 * ```ts
 * return new Observable<PublishResult>((subscriber) => sendBatches(prepared.channel, prepared.batches, send, subscriber));
 * ```
 */
export function sendBatches(channel: string, batches: readonly EventBatch[], send: BatchSender, subscriber: Subscriber<PublishResult>): () => void {
  const result: MergedResult = { successful: [], failed: [] };
  let cancel: (() => void) | undefined;
  const run = (k: number): void => {
    const batch = batches[k];
    if (batch === undefined) completeWith(subscriber, result);
    else
      cancel = send(
        batch,
        (successful, failed) => {
          addResults(result, batch.offset, successful, failed);
          run(k + 1);
        },
        (error) => failWith(subscriber, channel, error, k ? result : undefined),
      );
  };
  run(0);
  return () => cancel?.();
}
