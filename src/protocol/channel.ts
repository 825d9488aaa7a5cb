import { MAX_CHANNEL_SEGMENTS, MAX_SEGMENT_LENGTH } from './limits';

/**
 * A channel path that passed the grammar of protocol reference §6.2/§6.3, normalised to the
 * `/ns/a/b` form (leading slash, no trailing slash).
 *
 * @example
 * ```ts
 * import { parseChannel } from 'appsync-events-rx/protocol';
 * const r = parseChannel('default/chat/');
 * if (r.ok) console.log(r.channel.path, r.channel.namespace); // '/default/chat' 'default'
 * ```
 */
export interface ChannelPath {
  /** Normalised path: `/` + segments joined by `/` (a wildcard keeps its final `*`). */
  readonly path: string;
  /** The segments, `*` included when `wildcard` is true. */
  readonly segments: readonly string[];
  /** First segment: the channel namespace. */
  readonly namespace: string;
  /** True when the last segment is `*` (subscribe only). */
  readonly wildcard: boolean;
}

/**
 * Result of {@link parseChannel}: the normalised channel, or a human-readable reason.
 *
 * @example
 * ```ts
 * import { parseChannel } from 'appsync-events-rx/protocol';
 * const r = parseChannel('/default/a_b');
 * if (!r.ok) console.log(r.reason);
 * ```
 */
export type ChannelCheck = { readonly ok: true; readonly channel: ChannelPath } | { readonly ok: false; readonly reason: string };

const SEGMENT = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/**
 * Options of {@link parseChannel}.
 *
 * @example
 * ```ts
 * import { parseChannel } from 'appsync-events-rx/protocol';
 * parseChannel('/default/*', { allowWildcard: true });
 * ```
 */
export interface ParseChannelOptions {
  /** Accept a trailing `/*` segment (subscriptions only). @default false */
  readonly allowWildcard?: boolean;
}

/**
 * Checks a channel against the Event API grammar: 1–5 segments (namespace and a trailing `*`
 * included) of `[A-Za-z0-9-]`, 1–50 characters, not starting or ending with `-`; optional leading
 * and trailing `/`; a final `*` segment only when `allowWildcard` is set. Never throws.
 *
 * Wildcards: only a whole final segment is accepted (`/ns/*`); `*` counts toward the segment
 * limit, and `/*` alone is refused because the first segment must name a namespace. Those choices
 * are the protocol reference's suggestions for points the AWS documentation leaves open [UNK].
 *
 * @example
 * ```ts
 * import { parseChannel } from 'appsync-events-rx/protocol';
 * parseChannel('/default/chat').ok; // true
 * parseChannel('/default/*').ok; // false: wildcards need { allowWildcard: true }
 * ```
 */
export function parseChannel(channel: unknown, options: ParseChannelOptions = {}): ChannelCheck {
  if (typeof channel !== 'string') return fail(`channel must be a string, got ${typeof channel}`);
  const quoted = `channel "${clip(channel)}"`;
  // One leading and one trailing `/` are optional.
  const body = channel.replace(/^\/|\/$/g, '');
  if (!body) return fail(`${quoted} is empty (no segments)`);
  const segments = body.split('/');
  const count = segments.length;
  if (count > MAX_CHANNEL_SEGMENTS) return fail(`${quoted} has ${count} segments (max ${MAX_CHANNEL_SEGMENTS})`);
  const wildcard = count > 1 && segments[count - 1] === '*';
  if (wildcard && !options.allowWildcard) return fail(`${quoted}: a wildcard is only allowed when subscribing`);
  for (let i = 0; i < count - (wildcard ? 1 : 0); i++) {
    const segment = segments[i] as string;
    if (!segment) return fail(`${quoted} has an empty segment`);
    if (segment.length > MAX_SEGMENT_LENGTH) {
      return fail(`channel segment "${clip(segment)}" has ${segment.length} characters; at most ${MAX_SEGMENT_LENGTH} are allowed`);
    }
    if (segment.includes('*')) return fail(`${quoted}: "*" is only allowed as a whole last segment after the namespace`);
    if (!SEGMENT.test(segment)) {
      return fail(`channel segment "${clip(segment)}" is invalid: use letters, digits and "-" only, not starting or ending with "-"`);
    }
  }
  return { ok: true, channel: { path: '/' + body, segments, namespace: segments[0] as string, wildcard } };
}

/**
 * Whether an event published on `published` reaches a subscription to `subscription`: exact paths
 * match themselves; `/ns/a/*` matches every channel strictly below `/ns/a`, at any depth (not
 * `/ns/a` itself — [UNK], the reference's suggestion).
 *
 * @example
 * ```ts
 * import { parseChannel } from 'appsync-events-rx/protocol';
 * import { channelMatches } from 'appsync-events-rx/testing';
 * const sub = parseChannel('/default/*', { allowWildcard: true });
 * const pub = parseChannel('/default/a/b');
 * if (sub.ok && pub.ok) channelMatches(sub.channel, pub.channel); // true
 * ```
 */
export function channelMatches(subscription: ChannelPath, published: ChannelPath): boolean {
  if (!subscription.wildcard) return subscription.path === published.path;
  const prefix = subscription.segments.length - 1;
  if (published.segments.length <= prefix) return false;
  for (let i = 0; i < prefix; i++) {
    if (subscription.segments[i] !== published.segments[i]) return false;
  }
  return true;
}

function fail(reason: string): ChannelCheck {
  return { ok: false, reason };
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
