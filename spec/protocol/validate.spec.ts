import {
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_INTERVAL_MS,
  EVENT_WS_SUBPROTOCOL,
  MAX_CHANNEL_SEGMENTS,
  MAX_CONNECTION_AGE_MS,
  MAX_EVENT_BYTES,
  MAX_EVENTS_PER_PUBLISH,
  MAX_SEGMENT_LENGTH,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  MAX_WS_PUBLISH_PER_SECOND,
  OPERATION_ID_PATTERN,
  utf8ByteLength,
} from '../../src/protocol/limits';
import { checkEventCount, checkEventJson, checkEventSize, checkOperationId } from '../../src/protocol/validate';

describe('limits (protocol reference §6.1)', () => {
  it('match the documented numbers', () => {
    expect({
      MAX_EVENTS_PER_PUBLISH,
      MAX_EVENT_BYTES,
      MAX_SUBSCRIPTIONS_PER_CONNECTION,
      MAX_CHANNEL_SEGMENTS,
      MAX_SEGMENT_LENGTH,
      DEFAULT_CONNECTION_TIMEOUT_MS,
      DEFAULT_KEEP_ALIVE_INTERVAL_MS,
      MAX_WS_PUBLISH_PER_SECOND,
      MAX_CONNECTION_AGE_MS,
      EVENT_WS_SUBPROTOCOL,
    }).toEqual({
      MAX_EVENTS_PER_PUBLISH: 5,
      MAX_EVENT_BYTES: 245_760,
      MAX_SUBSCRIPTIONS_PER_CONNECTION: 200,
      MAX_CHANNEL_SEGMENTS: 5,
      MAX_SEGMENT_LENGTH: 50,
      DEFAULT_CONNECTION_TIMEOUT_MS: 300_000,
      DEFAULT_KEEP_ALIVE_INTERVAL_MS: 60_000,
      MAX_WS_PUBLISH_PER_SECOND: 25,
      MAX_CONNECTION_AGE_MS: 86_400_000,
      EVENT_WS_SUBPROTOCOL: 'aws-appsync-event-ws',
    });
  });

  it('OPERATION_ID_PATTERN is the documented ^[a-zA-Z0-9-_+]{1,128}$', () => {
    expect(OPERATION_ID_PATTERN.test('V1StGXR8_Z5jdHi6B-myT')).toBe(true);
    expect(OPERATION_ID_PATTERN.test('a b')).toBe(false);
  });
});

describe('utf8ByteLength', () => {
  it.each<[string, string, number]>([
    ['empty', '', 0],
    ['ASCII', 'hello', 5],
    ['U+007F (last 1-byte)', '\u007f', 1],
    ['U+0080 (first 2-byte)', '\u0080', 2],
    ['é', 'héllo', 6],
    ['U+07FF (last 2-byte)', '\u07ff', 2],
    ['U+0800 (first 3-byte)', '\u0800', 3],
    ['CJK', '中文', 6],
    ['U+FFFF', '\uffff', 3],
    ['surrogate pair (emoji)', '😀', 4],
    ['U+10FFFF', '\u{10ffff}', 4],
    ['two emoji', '😀😀', 8],
    ['lone high surrogate', '\ud83d', 3],
    ['lone low surrogate', '\ude00', 3],
    ['high surrogate at end', 'a\ud83d', 4],
    ['high surrogate then ASCII', '\ud83da', 4],
    ['low then high (reversed pair)', '\ude00\ud83d', 6],
    ['two high surrogates then low', '\ud83d\ud83d\ude00', 7],
  ])('%s', (_label, text, expected) => {
    expect(utf8ByteLength(text)).toBe(expected);
    expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text, 'utf8'));
    expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
  });

  it('agrees with Buffer.byteLength and TextEncoder on random strings, lone surrogates included', () => {
    // Deterministic PRNG (mulberry32) so a failure is reproducible.
    let seed = 0x5eed;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    // Bias toward the interesting boundaries and the surrogate range.
    const pools: readonly [number, number][] = [
      [0x00, 0x7f],
      [0x80, 0x7ff],
      [0x800, 0xd7ff],
      [0xd800, 0xdbff],
      [0xdc00, 0xdfff],
      [0xe000, 0xffff],
    ];
    for (let n = 0; n < 2000; n++) {
      const length = Math.floor(random() * 40);
      let text = '';
      for (let i = 0; i < length; i++) {
        const pick = random();
        if (pick < 0.15) {
          text += String.fromCodePoint(0x10000 + Math.floor(random() * 0xfffff));
        } else {
          const [lo, hi] = pools[Math.floor(random() * pools.length)] as [number, number];
          text += String.fromCharCode(lo + Math.floor(random() * (hi - lo + 1)));
        }
      }
      const expected = Buffer.byteLength(text, 'utf8');
      if (utf8ByteLength(text) !== expected) {
        throw new Error(`mismatch for ${JSON.stringify(text)}: ${utf8ByteLength(text)} vs ${expected}`);
      }
      expect(new TextEncoder().encode(text).length).toBe(expected);
    }
  });
});

describe('checkOperationId', () => {
  it.each<[string, string]>([
    ['1 char', 'a'],
    ['128 chars', 'a'.repeat(128)],
    ['all classes', 'aZ09-_+'],
    ['plus only', '+'],
    ['underscore only', '_'],
    ['dash only', '-'],
    ['UUID v4', '5f1c9a0e-7d2b-4b8e-9c61-2a7f0e4d3b19'],
    ['upper-case UUID (Swift)', '5F1C9A0E-7D2B-4B8E-9C61-2A7F0E4D3B19'],
    ['default nanoid', 'V1StGXR8_Z5jdHi6B-myT'],
  ])('accepts %s', (_label, id) => {
    expect(checkOperationId(id)).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['129 chars', 'a'.repeat(129)],
    ['space', 'a b'],
    ['leading space', ' a'],
    ['trailing newline', 'a\n'],
    ['dot', 'a.b'],
    ['slash', 'a/b'],
    ['equals (base64 padding)', 'YQ=='],
    ['colon', 'a:b'],
    ['non-ASCII letter', 'é'],
    ['emoji', '😀'],
  ])('rejects %s as BadRequestException', (_label, id) => {
    const v = checkOperationId(id);
    expect(v).toEqual({ errorType: 'BadRequestException', message: expect.stringMatching(/\{1,128\}/) });
  });

  it('reports the length it saw', () => {
    expect(checkOperationId('a'.repeat(129))?.message).toContain('got 129 characters');
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['number', 123],
    ['object', { id: 'a' }],
    ['array', ['a']],
    ['boolean', true],
  ])('rejects a non-string id (%s)', (_label, id) => {
    expect(checkOperationId(id)).toEqual({ errorType: 'BadRequestException', message: 'Operation id must be a string' });
  });
});

describe('checkEventCount', () => {
  it.each([1, 2, 3, 4, 5])('accepts %i events', (count) => {
    expect(checkEventCount(count)).toBeUndefined();
  });

  it.each([0, 6, 100, -1])('rejects %i events', (count) => {
    expect(checkEventCount(count)).toEqual({
      errorType: 'BadRequestException',
      message: `A publish request carries 1 to 5 events, got ${count}`,
    });
  });

  it.each([Number.NaN, 2.5, Number.POSITIVE_INFINITY])('rejects a count that is not a whole number (%p)', (count) => {
    expect(checkEventCount(count)?.errorType).toBe('BadRequestException');
  });
});

describe('checkEventSize', () => {
  const tooLarge = (bytes: number) => ({
    errorType: 'EventTooLargeException',
    message: `Event is ${bytes} bytes (max 245760, 240 KB)`,
  });

  it.each<[string, string, ReturnType<typeof tooLarge> | undefined]>([
    ['empty', '', undefined],
    ['small JSON', '{"a":1}', undefined],
    ['exactly 245760 ASCII bytes', 'a'.repeat(245_760), undefined],
    ['245761 ASCII bytes', 'a'.repeat(245_761), tooLarge(245_761)],
    ['exactly 245760 bytes of 2-byte chars', 'é'.repeat(122_880), undefined],
    ['245762 bytes of 2-byte chars', 'é'.repeat(122_881), tooLarge(245_762)],
    ['exactly 245760 bytes of 3-byte chars', '中'.repeat(81_920), undefined],
    ['245763 bytes of 3-byte chars', '中'.repeat(81_921), tooLarge(245_763)],
    ['exactly 245760 bytes of surrogate pairs', '😀'.repeat(61_440), undefined],
    ['245764 bytes of surrogate pairs', '😀'.repeat(61_441), tooLarge(245_764)],
    ['245760 bytes: 245756 ASCII + one emoji', 'a'.repeat(245_756) + '😀', undefined],
    ['245761 bytes: 245757 ASCII + one emoji', 'a'.repeat(245_757) + '😀', tooLarge(245_761)],
    ['245761 bytes: 245759 ASCII + one é', 'a'.repeat(245_759) + 'é', tooLarge(245_761)],
    ['245760 bytes: 245757 ASCII + lone surrogate', 'a'.repeat(245_757) + '\ud83d', undefined],
    ['245761 bytes: 245758 ASCII + lone surrogate', 'a'.repeat(245_758) + '\ud83d', tooLarge(245_761)],
  ])('%s', (_label, event, expected) => {
    expect(checkEventSize(event)).toEqual(expected);
  });

  it('measures bytes, not UTF-16 units: 81920 × 3-byte chars fit, one more does not', () => {
    // 81921 units is far below 245760 in .length, but 245763 bytes.
    const text = '中'.repeat(81_921);
    expect(text.length).toBeLessThan(MAX_EVENT_BYTES);
    expect(Buffer.byteLength(text)).toBeGreaterThan(MAX_EVENT_BYTES);
    expect(checkEventSize(text)?.errorType).toBe('EventTooLargeException');
  });
});

describe('checkEventJson', () => {
  it.each([
    '{"text":"hi"}',
    '42',
    '"plain string"',
    'null',
    'true',
    'false',
    '[]',
    '[1,"a",{}]',
    '{}',
    ' {"a":1} ',
    '{"a":1}\n',
    '-0.5e10',
    '"😀"',
  ])('accepts %j', (event) => {
    expect(checkEventJson(event)).toBeUndefined();
  });

  it.each(['hi', '', ' ', '{', '{"a":1', "{'a':1}", '{a:1}', 'undefined', 'NaN', '[1,]', '{"a":1}{"b":2}', '01'])(
    'rejects %j',
    (event) => {
      expect(checkEventJson(event)).toEqual({ errorType: 'BadRequestException', message: 'Each event must be a string containing valid JSON' });
    },
  );

  it.each<[string, unknown]>([
    ['object', { a: 1 }],
    ['number', 42],
    ['null', null],
    ['undefined', undefined],
    ['array of strings', ['{}']],
  ])('rejects a non-string event (%s)', (_label, event) => {
    expect(checkEventJson(event)).toEqual({ errorType: 'BadRequestException', message: 'Each event must be a string containing JSON' });
  });
});
