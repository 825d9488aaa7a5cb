import { channelMatches, parseChannel, requireChannel, type ChannelPath } from '../../src/protocol/channel';
import { MAX_CHANNEL_SEGMENTS, MAX_SEGMENT_LENGTH } from '../../src/protocol/limits';

const seg50 = 'a'.repeat(MAX_SEGMENT_LENGTH);
const seg51 = 'a'.repeat(MAX_SEGMENT_LENGTH + 1);

function parsed(channel: string, allowWildcard = false): ChannelPath {
  const r = parseChannel(channel, { allowWildcard });
  if (!r.ok) throw new Error(`expected ${channel} to parse, got: ${r.reason}`);
  return r.channel;
}

describe('parseChannel', () => {
  describe('accepts valid channels and normalises them to /ns/a/b', () => {
    it.each<[string, string, string[]]>([
      ['/default', '/default', ['default']],
      ['default', '/default', ['default']],
      ['default/', '/default', ['default']],
      ['/default/', '/default', ['default']],
      ['/default/chat', '/default/chat', ['default', 'chat']],
      ['default/chat/', '/default/chat', ['default', 'chat']],
      ['/a/b/c/d/e', '/a/b/c/d/e', ['a', 'b', 'c', 'd', 'e']],
      ['a/b/c/d/e/', '/a/b/c/d/e', ['a', 'b', 'c', 'd', 'e']],
      ['/my-ns/room-42', '/my-ns/room-42', ['my-ns', 'room-42']],
      ['/a-b-c/x--y', '/a-b-c/x--y', ['a-b-c', 'x--y']],
      ['/A/B', '/A/B', ['A', 'B']],
      ['/0/9', '/0/9', ['0', '9']],
      [`/${seg50}`, `/${seg50}`, [seg50]],
      [`/ns/${seg50}/${seg50}/${seg50}/${seg50}/`, `/ns/${seg50}/${seg50}/${seg50}/${seg50}`, ['ns', seg50, seg50, seg50, seg50]],
    ])('%j → %s', (input, path, segments) => {
      const r = parseChannel(input);
      expect(r).toEqual({ ok: true, channel: { path, segments, namespace: segments[0], wildcard: false } });
    });
  });

  it('accepts the longest possible channel (5×50 chars, both slashes: 256 chars)', () => {
    const longest = `/${Array.from({ length: MAX_CHANNEL_SEGMENTS }, () => seg50).join('/')}/`;
    expect(longest).toHaveLength(256);
    expect(parseChannel(longest).ok).toBe(true);
  });

  it('is case-sensitive: /Default/A and /default/a are different channels', () => {
    expect(parsed('/Default/A').path).not.toBe(parsed('/default/a').path);
  });

  describe('rejects invalid channels with a reason', () => {
    it.each<[string, unknown, RegExp]>([
      ['empty string', '', /no segments/],
      ['a lone slash', '/', /no segments/],
      ['two slashes', '//', /no segments/],
      ['three slashes', '///', /empty segment/],
      ['leading double slash', '//default', /empty segment/],
      ['trailing double slash', '/default//', /empty segment/],
      ['empty mid segment', '/default//chat', /empty segment/],
      ['6 segments', '/a/b/c/d/e/f', /6 segments/],
      ['6 segments with trailing slash', 'a/b/c/d/e/f/', /6 segments/],
      ['51-char segment', `/ns/${seg51}`, /51 characters/],
      ['51-char namespace', `/${seg51}`, /51 characters/],
      ['leading dash', '/default/-chat', /invalid/],
      ['trailing dash', '/default/chat-', /invalid/],
      ['lone dash', '/default/-', /invalid/],
      ['namespace with trailing dash', '/default-/chat', /invalid/],
      ['underscore', '/default/a_b', /invalid/],
      ['dot', '/default/a.b', /invalid/],
      ['colon', '/default/a:b', /invalid/],
      ['space inside', '/default/a b', /invalid/],
      ['leading space', ' /default/a', /invalid/],
      ['trailing space', '/default/a ', /invalid/],
      ['non-ASCII letter', '/default/café', /invalid/],
      ['emoji', '/default/😀', /invalid/],
      ['full-width digit', '/default/１', /invalid/],
      ['backslash', '/default\\a', /invalid/],
      ['query-like', '/default/a?b', /invalid/],
      ['not a string (number)', 42, /must be a string, got number/],
      ['not a string (undefined)', undefined, /must be a string, got undefined/],
      ['not a string (null)', null, /must be a string, got object/],
      ['not a string (array)', ['default'], /must be a string/],
    ])('%s: %j', (_label, input, reason) => {
      const r = parseChannel(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(reason);
    });
  });

  it('clips very long inputs in its reason', () => {
    const r = parseChannel(`/${'a'.repeat(1000)}/b/c/d/e/f`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeLessThan(200);
  });

  describe('wildcards', () => {
    it.each<[string, string, string[]]>([
      ['/default/*', '/default/*', ['default', '*']],
      ['default/*', '/default/*', ['default', '*']],
      ['/default/*/', '/default/*', ['default', '*']],
      ['/default/a/b/*', '/default/a/b/*', ['default', 'a', 'b', '*']],
      ['/a/b/c/d/*', '/a/b/c/d/*', ['a', 'b', 'c', 'd', '*']],
    ])('with allowWildcard, %j → %s', (input, path, segments) => {
      expect(parseChannel(input, { allowWildcard: true })).toEqual({
        ok: true,
        channel: { path, segments, namespace: segments[0], wildcard: true },
      });
    });

    it.each(['/default/*', '/default/a/*', 'default/*/'])('without allowWildcard, %j is refused as subscribe-only', (input) => {
      for (const options of [undefined, {}, { allowWildcard: false }]) {
        const r = parseChannel(input, options);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.reason).toMatch(/has a wildcard \(subscribe only\)/);
      }
    });

    it.each<[string, string, RegExp]>([
      ['* counts toward the 5-segment limit', '/a/b/c/d/e/*', /6 segments/],
      ['namespace wildcard /* alone', '/*', /"\*"/],
      ['namespace wildcard * alone', '*', /"\*"/],
      ['namespace wildcard /*/', '/*/', /"\*"/],
      ['mid-path *', '/default/*/a', /"\*"/],
      ['* as namespace', '/*/a', /"\*"/],
      ['partial segment foo*', '/default/foo*', /"\*"/],
      ['partial segment *foo', '/default/*foo', /"\*"/],
      ['double star', '/default/**', /"\*"/],
      ['two wildcards', '/default/*/*', /"\*"/],
      ['empty segment before *', '/default//*', /empty segment/],
    ])('even with allowWildcard, refuses %s (%j)', (_label, input, reason) => {
      const r = parseChannel(input, { allowWildcard: true });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(reason);
    });

    it('a plain channel parsed with allowWildcard is not a wildcard', () => {
      expect(parsed('/default/a', true).wildcard).toBe(false);
    });
  });
});

describe('channelMatches', () => {
  it.each<[string, string, boolean]>([
    // exact subscriptions
    ['/default/a', '/default/a', true],
    ['default/a/', '/default/a', true],
    ['/default/a', '/default/a/b', false],
    ['/default/a/b', '/default/a', false],
    ['/default/a', '/default/A', false],
    ['/default', '/default', true],
    ['/default', '/default/a', false],
    // wildcard subscriptions: every deeper level matches
    ['/default/*', '/default/a', true],
    ['/default/*', '/default/a/b', true],
    ['/default/*', '/default/greetings/tutorial', true],
    ['/default/*', '/default/a/b/c/d', true],
    ['/default/a/*', '/default/a/b', true],
    ['/default/a/*', '/default/a/b/c/d', true],
    // ...but not the bare prefix
    ['/default/*', '/default', false],
    ['/default/a/*', '/default/a', false],
    // ...nor siblings or other namespaces
    ['/default/*', '/other/a', false],
    ['/default/*', '/default2/a', false],
    ['/default/*', '/defaul/a', false],
    ['/default/*', '/Default/a', false],
    ['/default/a/*', '/default/b/c', false],
    ['/default/a/*', '/default/ab/c', false],
    ['/default/a/*', '/default/a-b/c', false],
  ])('subscription %s, publish %s → %s', (subscription, published, expected) => {
    expect(channelMatches(parsed(subscription, true), parsed(published))).toBe(expected);
  });
});

describe('requireChannel', () => {
  it('returns the normalised channel', () => {
    expect(requireChannel('default/*/', { allowWildcard: true })).toEqual({ path: '/default/*', segments: ['default', '*'], namespace: 'default', wildcard: true });
  });

  it('throws a ValidationError (INVALID_CHANNEL) with the reason of parseChannel for an invalid channel', () => {
    const check = parseChannel('/default/a b');
    expect(check.ok).toBe(false);
    expect(() => requireChannel('/default/a b', { allowWildcard: true })).toThrow(
      expect.objectContaining({ reason: 'INVALID_CHANNEL', message: check.ok ? '' : check.reason }),
    );
  });

  it('throws WILDCARD_NOT_ALLOWED when a wildcard is the only fault and wildcards are off', () => {
    const check = parseChannel('/default/*');
    expect(() => requireChannel('/default/*')).toThrow(expect.objectContaining({ reason: 'WILDCARD_NOT_ALLOWED', message: check.ok ? '' : check.reason }));
    expect(() => requireChannel('*')).toThrow(expect.objectContaining({ reason: 'INVALID_CHANNEL' }));
  });
});
