import { AppSyncEventsError, ErrorCode, UnsupportedMessageFormatError } from '../../src/errors';
import { decodeReceiveMessage, decodeSendMessage } from '../../src/protocol/decode';
import type { ReceiveMessage } from '../../src/protocol/messages';

const ID = '5f1c9a0e-7d2b-4b8e-9c61-2a7f0e4d3b19';
const errs = [{ errorType: 'SubscriptionProcessingError', message: 'boom' }];

function decodeOk(frame: unknown): ReceiveMessage {
  const m = decodeReceiveMessage(frame);
  if (m instanceof UnsupportedMessageFormatError) throw new Error(`expected a message, got: ${m.message}`);
  return m;
}

function decodeBad(frame: unknown): UnsupportedMessageFormatError {
  const m = decodeReceiveMessage(frame);
  if (!(m instanceof UnsupportedMessageFormatError)) throw new Error(`expected an error, got: ${JSON.stringify(m)}`);
  return m;
}

describe('decodeReceiveMessage', () => {
  describe('valid server frames (protocol reference §2.4)', () => {
    it.each<[string, unknown, ReceiveMessage]>([
      ['connection_ack', { type: 'connection_ack', connectionTimeoutMs: 300000 }, { type: 'connection_ack', connectionTimeoutMs: 300000 }],
      ['connection_ack, other timeout', { type: 'connection_ack', connectionTimeoutMs: 1234 }, { type: 'connection_ack', connectionTimeoutMs: 1234 }],
      ['connection_ack without connectionTimeoutMs', { type: 'connection_ack' }, { type: 'connection_ack', connectionTimeoutMs: 300000 }],
      [
        'connection_ack with connectionTimeoutMs in payload (Swift shape)',
        { type: 'connection_ack', payload: { connectionTimeoutMs: 5 } },
        { type: 'connection_ack', connectionTimeoutMs: 300000 },
      ],
      ['connection_ack, string timeout', { type: 'connection_ack', connectionTimeoutMs: '1000' }, { type: 'connection_ack', connectionTimeoutMs: 300000 }],
      ['connection_ack, zero timeout', { type: 'connection_ack', connectionTimeoutMs: 0 }, { type: 'connection_ack', connectionTimeoutMs: 300000 }],
      ['connection_ack, negative timeout', { type: 'connection_ack', connectionTimeoutMs: -1 }, { type: 'connection_ack', connectionTimeoutMs: 300000 }],
      ['connection_ack, null timeout', { type: 'connection_ack', connectionTimeoutMs: null }, { type: 'connection_ack', connectionTimeoutMs: 300000 }],
      ['ka', { type: 'ka' }, { type: 'ka' }],
      [
        'connection_error',
        { type: 'connection_error', errors: [{ errorType: 'UnauthorizedException', errorCode: 401, message: 'You are not authorized to make this call.' }] },
        { type: 'connection_error', errors: [{ errorType: 'UnauthorizedException', errorCode: 401, message: 'You are not authorized to make this call.' }] },
      ],
      ['connection_error without errors', { type: 'connection_error' }, { type: 'connection_error', errors: [] }],
      ['subscribe_success', { type: 'subscribe_success', id: ID }, { type: 'subscribe_success', id: ID }],
      ['subscribe_error', { type: 'subscribe_error', id: ID, errors: errs }, { type: 'subscribe_error', id: ID, errors: errs }],
      ['data', { type: 'data', id: ID, event: '{"text":"hi"}' }, { type: 'data', id: ID, event: '{"text":"hi"}' }],
      ['data with an empty event string', { type: 'data', id: ID, event: '' }, { type: 'data', id: ID, event: '' }],
      ['data.event as a one-element array', { type: 'data', id: ID, event: ['{"text":"hi"}'] }, { type: 'data', id: ID, event: '{"text":"hi"}' }],
      [
        'broadcast_error',
        { type: 'broadcast_error', id: ID, errors: [{ errorType: 'MessageProcessingError', message: 'x' }] },
        { type: 'broadcast_error', id: ID, errors: [{ errorType: 'MessageProcessingError', message: 'x' }] },
      ],
      ['unsubscribe_success', { type: 'unsubscribe_success', id: ID }, { type: 'unsubscribe_success', id: ID }],
      [
        'unsubscribe_error',
        { type: 'unsubscribe_error', id: 'does-not-exist', errors: [{ errorType: 'UnknownOperationError', message: 'Unknown operation id does-not-exist' }] },
        { type: 'unsubscribe_error', id: 'does-not-exist', errors: [{ errorType: 'UnknownOperationError', message: 'Unknown operation id does-not-exist' }] },
      ],
      [
        'publish_success',
        {
          type: 'publish_success',
          id: 'p1',
          successful: [{ identifier: 'a', index: 0 }],
          failed: [{ identifier: 'b', index: 1, code: 'EventTooLargeException', message: 'Transformed event is larger than 240KB' }],
        },
        {
          type: 'publish_success',
          id: 'p1',
          successful: [{ identifier: 'a', index: 0 }],
          failed: [{ identifier: 'b', index: 1, code: 'EventTooLargeException', message: 'Transformed event is larger than 240KB' }],
        },
      ],
      ['publish_success without lists', { type: 'publish_success', id: 'p1' }, { type: 'publish_success', id: 'p1', successful: [], failed: [] }],
      [
        'publish_success with null lists',
        { type: 'publish_success', id: 'p1', successful: null, failed: null },
        { type: 'publish_success', id: 'p1', successful: [], failed: [] },
      ],
      [
        'publish_error',
        { type: 'publish_error', id: 'p1', errors: [{ errorType: 'UnauthorizedException', message: '…' }] },
        { type: 'publish_error', id: 'p1', errors: [{ errorType: 'UnauthorizedException', message: '…' }] },
      ],
      [
        'error without id',
        { type: 'error', errors: [{ errorType: 'UnsupportedOperation', message: 'Operation not supported through the realtime channel' }] },
        { type: 'error', errors: [{ errorType: 'UnsupportedOperation', message: 'Operation not supported through the realtime channel' }] },
      ],
      ['error with id', { type: 'error', id: ID, errors: errs }, { type: 'error', id: ID, errors: errs }],
      ['error with a non-string id drops the id', { type: 'error', id: 7, errors: errs }, { type: 'error', errors: errs }],
      ['error without errors', { type: 'error' }, { type: 'error', errors: [] }],
    ])('%s', (_label, frame, expected) => {
      expect(decodeOk(JSON.stringify(frame))).toEqual(expected);
    });
  });

  describe('errors[] normalisation', () => {
    it.each<[string, unknown, unknown]>([
      ['entry without errorType → "Unknown"', [{ message: 'no type' }], [{ errorType: 'Unknown', message: 'no type' }]],
      ['non-string errorType → "Unknown"', [{ errorType: 42 }], [{ errorType: 'Unknown' }]],
      ['only errorType', [{ errorType: 'X' }], [{ errorType: 'X' }]],
      ['non-string message dropped', [{ errorType: 'X', message: { a: 1 } }], [{ errorType: 'X' }]],
      ['non-number errorCode dropped', [{ errorType: 'X', errorCode: '401' }], [{ errorType: 'X' }]],
      ['unknown keys dropped', [{ errorType: 'X', extra: true }], [{ errorType: 'X' }]],
      ['string entry', ['oops'], [{ errorType: 'Unknown', message: 'oops' }]],
      ['null entry', [null], [{ errorType: 'Unknown', message: 'null' }]],
      ['errors is an object, not a list', { errorType: 'X' }, []],
      ['errors is a string', 'X', []],
      ['empty list', [], []],
    ])('%s', (_label, errors, expected) => {
      for (const type of ['connection_error', 'error', 'subscribe_error', 'unsubscribe_error', 'publish_error', 'broadcast_error']) {
        const m = decodeOk(JSON.stringify({ type, id: 'x', errors }));
        expect(m).toMatchObject({ type, errors: expected });
      }
    });
  });

  it('returns the parsed data frame without copying it (hot path)', () => {
    const m = decodeOk('{"type":"data","id":"a","event":"1","extra":true}');
    expect(m).toEqual({ type: 'data', id: 'a', event: '1', extra: true });
  });

  describe('malformed frames → UnsupportedMessageFormatError', () => {
    it.each<[string, unknown, RegExp]>([
      ['non-JSON text', 'hello', /not JSON/],
      ['empty text', '', /not JSON/],
      ['truncated JSON', '{"type":"ka"', /not JSON/],
      ['JSON array', '[{"type":"ka"}]', /not a JSON object/],
      ['JSON string', '"ka"', /not a JSON object/],
      ['JSON number', '42', /not a JSON object/],
      ['JSON null', 'null', /not a JSON object/],
      ['JSON true', 'true', /not a JSON object/],
      ['object without type', '{"id":"a"}', /not a JSON object with a string type/],
      ['numeric type', '{"type":1}', /not a JSON object with a string type/],
      ['null type', '{"type":null}', /not a JSON object with a string type/],
      ['unknown type', '{"type":"start_ack","id":"a"}', /unknown message type "start_ack"/],
      ['client type echoed back', '{"type":"subscribe","id":"a"}', /unknown message type "subscribe"/],
      ['type in wrong case', '{"type":"KA"}', /unknown message type "KA"/],
      ['data without id', '{"type":"data","event":"{}"}', /data without a string id/],
      ['data with numeric id', '{"type":"data","id":1,"event":"{}"}', /data without a string id/],
      ['data without event', '{"type":"data","id":"a"}', /event is not a string/],
      ['data.event as object', '{"type":"data","id":"a","event":{"text":"hi"}}', /event is not a string/],
      ['data.event as number', '{"type":"data","id":"a","event":42}', /event is not a string/],
      ['data.event null', '{"type":"data","id":"a","event":null}', /event is not a string/],
      ['data.event empty array', '{"type":"data","id":"a","event":[]}', /event is not a string/],
      ['data.event two-element array', '{"type":"data","id":"a","event":["1","2"]}', /event is not a string/],
      ['data.event array of object', '{"type":"data","id":"a","event":[{"a":1}]}', /event is not a string/],
      ['subscribe_success without id', '{"type":"subscribe_success"}', /subscribe_success without a string id/],
      ['unsubscribe_success with null id', '{"type":"unsubscribe_success","id":null}', /unsubscribe_success without a string id/],
      ['subscribe_error without id', '{"type":"subscribe_error","errors":[]}', /subscribe_error without a string id/],
      ['unsubscribe_error with numeric id', '{"type":"unsubscribe_error","id":3,"errors":[]}', /unsubscribe_error without a string id/],
      ['publish_error without id', '{"type":"publish_error","errors":[]}', /publish_error without a string id/],
      ['broadcast_error without id', '{"type":"broadcast_error","errors":[]}', /broadcast_error without a string id/],
      ['publish_success without id', '{"type":"publish_success","successful":[],"failed":[]}', /publish_success without a string id/],
      ['publish_success.successful as object', '{"type":"publish_success","id":"p","successful":{},"failed":[]}', /malformed/],
      ['publish_success.failed as string', '{"type":"publish_success","id":"p","successful":[],"failed":"x"}', /malformed/],
      ['publish_success entry without index', '{"type":"publish_success","id":"p","successful":[{"identifier":"a"}]}', /malformed/],
      ['publish_success entry with string index', '{"type":"publish_success","id":"p","failed":[{"identifier":"a","index":"0"}]}', /malformed/],
      ['publish_success entry null', '{"type":"publish_success","id":"p","successful":[null]}', /malformed/],
    ])('%s', (_label, frame, detail) => {
      const e = decodeBad(frame);
      expect(e.detail).toMatch(detail);
      expect(e.message).toBe(e.detail);
      expect(e.excerpt).toBe(frame);
      expect(e.code).toBe(ErrorCode.UnsupportedMessageFormat);
      expect(e.name).toBe('UnsupportedMessageFormatError');
      expect(AppSyncEventsError.is(e)).toBe(true);
    });
  });

  describe('binary and non-string frames', () => {
    it.each<[string, unknown, string]>([
      ['Buffer', Buffer.from('{"type":"ka"}'), '<Buffer>'],
      ['ArrayBuffer', new TextEncoder().encode('{"type":"ka"}').buffer, '<ArrayBuffer>'],
      ['Uint8Array', new TextEncoder().encode('{"type":"ka"}'), '<Uint8Array>'],
      ['array of Buffers (ws fragments)', [Buffer.from('{"type":"ka"}')], '<Array>'],
      ['Blob-like object', { size: 1, type: '' }, '<Object>'],
      ['null-prototype object', Object.create(null) as unknown, '<object>'],
      ['already-parsed object', { type: 'ka' }, '<Object>'],
      ['undefined', undefined, '<undefined>'],
      ['null', null, '<null>'],
      ['number', 42, '<number>'],
    ])('%s is refused', (_label, frame, excerpt) => {
      const e = decodeBad(frame);
      expect(e.detail).toBe('frame is not text');
      expect(e.excerpt).toBe(excerpt);
    });
  });

  it('clips the excerpt of a long frame to 200 characters', () => {
    const frame = JSON.stringify({ type: 'nope', filler: 'x'.repeat(1000) });
    const e = decodeBad(frame);
    expect(e.excerpt).toHaveLength(200);
    expect(e.excerpt.endsWith('...')).toBe(true);
    expect(e.excerpt.startsWith(frame.slice(0, 197))).toBe(true);
  });

  it('scrubs credentials from the excerpt (it ends up in logs)', () => {
    const frame = JSON.stringify({
      type: 'publish_error',
      errors: [{ errorType: 'BadRequestException', message: 'canonical string: x-amz-security-token:IQoJb3JpZ2luX2VjEJr/secret' }],
    });
    const e = decodeBad(frame);
    expect(e.detail).toBe('publish_error without a string id');
    expect(e.excerpt).toContain('x-amz-security-token:[redacted]');
    expect(e.excerpt).not.toContain('IQoJb3JpZ2luX2VjEJr');
  });

  it('clips a long unknown type name in the detail', () => {
    const e = decodeBad(JSON.stringify({ type: 't'.repeat(500) }));
    expect(e.detail.length).toBeLessThan(120);
  });

  it('never throws, whatever it is given', () => {
    const awkward: unknown[] = [
      '{"type":"data","id":"a","event":"x","__proto__":{"polluted":true}}',
      '{"type":"constructor"}',
      '{"type":"toString"}',
      '{"type":"__proto__"}',
      '\u0000',
      '\ud800',
      '{"type":"connection_ack","connectionTimeoutMs":1e400}',
      Symbol('x'),
      () => 1,
      BigInt(1),
    ];
    for (const frame of awkward) {
      expect(() => decodeReceiveMessage(frame)).not.toThrow();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does not accept a non-finite connectionTimeoutMs (1e400 parses as Infinity)', () => {
    expect(decodeOk('{"type":"connection_ack","connectionTimeoutMs":1e400}')).toEqual({ type: 'connection_ack', connectionTimeoutMs: 300000 });
  });
});

describe('decodeSendMessage', () => {
  const auth = { 'x-api-key': 'da2-exampleexampleexample00', host: 'h.appsync-api.eu-west-1.amazonaws.com' };

  describe('valid client frames (protocol reference §2.3)', () => {
    it.each<[string, unknown, unknown]>([
      ['connection_init', { type: 'connection_init' }, { type: 'connection_init' }],
      ['connection_init with extra fields', { type: 'connection_init', payload: {} }, { type: 'connection_init' }],
      ['subscribe', { type: 'subscribe', id: ID, channel: '/chat/rooms/42', authorization: auth }, { type: 'subscribe', id: ID, channel: '/chat/rooms/42', authorization: auth }],
      [
        'subscribe with amplify-js legacy payload and extra auth key',
        {
          type: 'subscribe',
          id: ID,
          channel: '/default/*',
          authorization: { ...auth, 'x-amz-user-agent': 'aws-amplify/6' },
          payload: { channel: '/default/*', extensions: { authorization: auth } },
        },
        { type: 'subscribe', id: ID, channel: '/default/*', authorization: { ...auth, 'x-amz-user-agent': 'aws-amplify/6' } },
      ],
      [
        'subscribe: non-string authorization values are dropped',
        { type: 'subscribe', id: ID, channel: '/a', authorization: { 'x-api-key': 'k', n: 1, o: {}, z: null } },
        { type: 'subscribe', id: ID, channel: '/a', authorization: { 'x-api-key': 'k' } },
      ],
      ['subscribe with an empty authorization object', { type: 'subscribe', id: ID, channel: '/a', authorization: {} }, { type: 'subscribe', id: ID, channel: '/a', authorization: {} }],
      ['unsubscribe', { type: 'unsubscribe', id: ID }, { type: 'unsubscribe', id: ID }],
      ['unsubscribe with stray authorization', { type: 'unsubscribe', id: ID, authorization: auth }, { type: 'unsubscribe', id: ID }],
      [
        'publish',
        { type: 'publish', id: 'V1StGXR8_Z5jdHi6B-myT', channel: '/chat/rooms/42', events: ['{"text":"hi"}', '42', '"plain string"', 'null'], authorization: auth },
        { type: 'publish', id: 'V1StGXR8_Z5jdHi6B-myT', channel: '/chat/rooms/42', events: ['{"text":"hi"}', '42', '"plain string"', 'null'], authorization: auth },
      ],
      // Id grammar, channel grammar, event JSON and count are checked separately (validate.ts).
      ['publish: empty events list is left to checkEventCount', { type: 'publish', id: 'p', channel: '/a', events: [], authorization: auth }, { type: 'publish', id: 'p', channel: '/a', events: [], authorization: auth }],
      ['publish: non-JSON event strings are left to checkEventJson', { type: 'publish', id: 'p', channel: '/a', events: ['hi'], authorization: auth }, { type: 'publish', id: 'p', channel: '/a', events: ['hi'], authorization: auth }],
      ['subscribe: id grammar is left to checkOperationId', { type: 'subscribe', id: 'a b', channel: 'x y', authorization: auth }, { type: 'subscribe', id: 'a b', channel: 'x y', authorization: auth }],
    ])('%s', (_label, frame, message) => {
      expect(decodeSendMessage(JSON.stringify(frame))).toEqual({ ok: true, message });
    });
  });

  describe('invalid client frames (protocol reference §7.6)', () => {
    it.each<[string, unknown, { errorType: string; message: RegExp | string }, { id?: string; type?: string }]>([
      ['Buffer', Buffer.from('{"type":"connection_init"}'), { errorType: 'BadRequestException', message: 'Binary frames are not supported' }, {}],
      ['ArrayBuffer', new ArrayBuffer(2), { errorType: 'BadRequestException', message: 'Binary frames are not supported' }, {}],
      ['non-JSON', 'hi', { errorType: 'BadRequestException', message: 'Frame is not valid JSON' }, {}],
      ['JSON array', '[]', { errorType: 'BadRequestException', message: 'Frame is not a JSON object' }, {}],
      ['JSON null', 'null', { errorType: 'BadRequestException', message: 'Frame is not a JSON object' }, {}],
      ['JSON string', '"subscribe"', { errorType: 'BadRequestException', message: 'Frame is not a JSON object' }, {}],
      ['no type', '{"id":"a"}', { errorType: 'UnsupportedOperation', message: 'Frame has no string type' }, { id: 'a' }],
      ['unknown type', '{"type":"start","id":"a"}', { errorType: 'UnsupportedOperation', message: 'Operation not supported through the realtime channel' }, { id: 'a', type: 'start' }],
      ['server type sent by a client', '{"type":"ka"}', { errorType: 'UnsupportedOperation', message: 'Operation not supported through the realtime channel' }, { type: 'ka' }],
      ['unsubscribe without id', '{"type":"unsubscribe"}', { errorType: 'BadRequestException', message: /requires a string id/ }, { type: 'unsubscribe' }],
      ['unsubscribe with numeric id', '{"type":"unsubscribe","id":5}', { errorType: 'BadRequestException', message: /requires a string id/ }, { type: 'unsubscribe' }],
      ['subscribe without id', JSON.stringify({ type: 'subscribe', channel: '/a', authorization: auth }), { errorType: 'BadRequestException', message: 'subscribe requires a string id' }, { type: 'subscribe' }],
      ['publish without id', JSON.stringify({ type: 'publish', channel: '/a', events: ['1'], authorization: auth }), { errorType: 'BadRequestException', message: 'publish requires a string id' }, { type: 'publish' }],
      ['subscribe without channel', JSON.stringify({ type: 'subscribe', id: 's', authorization: auth }), { errorType: 'BadRequestException', message: 'subscribe requires a string channel' }, { id: 's', type: 'subscribe' }],
      ['publish with numeric channel', JSON.stringify({ type: 'publish', id: 'p', channel: 1, events: ['1'], authorization: auth }), { errorType: 'BadRequestException', message: 'publish requires a string channel' }, { id: 'p', type: 'publish' }],
      ['subscribe without authorization', JSON.stringify({ type: 'subscribe', id: 's', channel: '/a' }), { errorType: 'UnauthorizedException', message: /authorization object/ }, { id: 's', type: 'subscribe' }],
      ['publish with string authorization', JSON.stringify({ type: 'publish', id: 'p', channel: '/a', events: ['1'], authorization: 'k' }), { errorType: 'UnauthorizedException', message: /authorization object/ }, { id: 'p', type: 'publish' }],
      ['subscribe with array authorization', JSON.stringify({ type: 'subscribe', id: 's', channel: '/a', authorization: [] }), { errorType: 'UnauthorizedException', message: /authorization object/ }, { id: 's', type: 'subscribe' }],
      ['subscribe with null authorization', JSON.stringify({ type: 'subscribe', id: 's', channel: '/a', authorization: null }), { errorType: 'UnauthorizedException', message: /authorization object/ }, { id: 's', type: 'subscribe' }],
      ['publish without events', JSON.stringify({ type: 'publish', id: 'p', channel: '/a', authorization: auth }), { errorType: 'BadRequestException', message: 'publish requires an events array' }, { id: 'p', type: 'publish' }],
      ['publish with a single string instead of a list', JSON.stringify({ type: 'publish', id: 'p', channel: '/a', events: '{}', authorization: auth }), { errorType: 'BadRequestException', message: 'publish requires an events array' }, { id: 'p', type: 'publish' }],
      ['publish with an object event', JSON.stringify({ type: 'publish', id: 'p', channel: '/a', events: [{ a: 1 }], authorization: auth }), { errorType: 'BadRequestException', message: 'Each event must be a string containing JSON' }, { id: 'p', type: 'publish' }],
      ['publish with a number among strings', JSON.stringify({ type: 'publish', id: 'p', channel: '/a', events: ['1', 2], authorization: auth }), { errorType: 'BadRequestException', message: 'Each event must be a string containing JSON' }, { id: 'p', type: 'publish' }],
    ])('%s', (_label, frame, violation, extra) => {
      const r = decodeSendMessage(frame);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.violation.errorType).toBe(violation.errorType);
      if (typeof violation.message === 'string') expect(r.violation.message).toBe(violation.message);
      else expect(r.violation.message).toMatch(violation.message);
      // id and type are present exactly when they could be read, so the reply can be routed.
      expect({ id: r.id, type: r.type }).toEqual({ id: extra.id, type: extra.type });
      expect(Object.keys(r).sort()).toEqual(['ok', 'violation', ...Object.keys(extra)].sort());
    });
  });

  it('never throws', () => {
    for (const frame of [undefined, null, 1, {}, Symbol('s'), '\ud800', '{"type":"__proto__"}', '{"type":"publish","id":"p","channel":"/a","authorization":{"__proto__":{"x":"y"}},"events":[]}']) {
      expect(() => decodeSendMessage(frame)).not.toThrow();
    }
  });
});
