/**
 * A buggy or hostile server: replies that do not account for each event, fields of the wrong type,
 * frames the protocol does not define for a live subscription, a repeated ack, and texts built to
 * slow down or get past the credential scrubber. Each test failed before its fix.
 */
import { TestScheduler } from 'rxjs/testing';
import { AppSyncEventsError, KeepAliveTimeoutError, PublishOutcomeUnknownError, UnsupportedMessageFormatError, scrubSecrets } from '../../src/errors';
import { decodeReceiveMessage } from '../../src/protocol/decode';
import { anError, createMarbleHarness } from '../helpers/fake-socket';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

describe('publish_success that does not give each event of the request exactly one outcome', () => {
  it.each([
    ['an event missing', [{ index: 0 }], []],
    ['an index out of range', [{ index: 0 }, { index: 7 }], []],
    ['an index twice', [{ index: 0 }, { index: 0 }], []],
    ['an index in both lists', [{ index: 0 }, { index: 1 }], [{ index: 1 }]],
    ['a negative index', [{ index: 0 }, { index: -1 }], []],
    ['a fractional index', [{ index: 0 }, { index: 0.5 }], []],
  ])('with %s: PublishOutcomeUnknownError for the events of that request', (_what, successful, failed) => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.publish('/default/a', [1, 2])).toBe(
        '20ms #',
        undefined,
        anError(PublishOutcomeUnknownError, { channel: '/default/a', indices: [0, 1], message: 'publish to /default/a: outcome unknown (malformed reply)' }),
      );
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'publish_success', id: 'id1', successful, failed }));
      h.at(30, () => h.client.close());
    });
  });

  it('a later request that spills into the next one fails the publish, with the indices of its own events', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.publish('/default/a', [1, 2, 3, 4, 5, 6])).toBe('20ms #', undefined, anError(PublishOutcomeUnknownError, { indices: [0, 1, 2, 3, 4] }));
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'publish_success', id: 'id1', successful: [0, 1, 2, 3, 5].map((index) => ({ index })), failed: [] }));
      h.at(30, () => h.client.close());
    });
  });

  it('keeps a failure field only when it is text or a number (an object neither throws nor shows up)', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { lingerMs: 0 });
      expectObservable(h.client.publish('/default/a', [1, 2])).toBe('20ms (r|)', {
        r: { successful: [0], failed: [{ index: 1, code: '400', message: 'too big' }] },
      });
      h.at(10, () => h.accept(0));
      h.at(20, () =>
        h.socket(0).receive('{"type":"publish_success","id":"id1","successful":[{"index":0}],"failed":[{"index":1,"code":400,"message":"too big","identifier":{"toString":1}}]}'),
      );
      h.at(30, () => expect(h.socket(0).closedByClient).toBe(true)); // the publish gave the connection back
    });
  });
});

describe('frames not defined for a live subscription', () => {
  it.each([
    ['error with its id', { type: 'error', id: 'id1', errors: [{ errorType: 'InternalFailure' }] }, 'SERVER_ERROR'],
    ['subscribe_error', { type: 'subscribe_error', id: 'id1', errors: [{ errorType: 'InternalFailure' }] }, 'SERVER_ERROR'],
    ['an unsolicited unsubscribe_success', { type: 'unsubscribe_success', id: 'id1' }, 'UNSUPPORTED_MESSAGE_FORMAT'],
  ])('%s is reported on protocolErrors$; the subscription carries on', (_what, frame, code) => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      const reported: AppSyncEventsError[] = [];
      h.client.protocolErrors$.subscribe((e) => reported.push(e));
      const out = h.record(h.client.subscribe('/default/a'));
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
      });
      h.at(20, () => h.socket(0).receive(frame));
      h.at(30, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '1' }));
      h.at(40, () => {
        expect(reported.map((e) => e.code)).toEqual([code]);
        expect(out).toEqual([{ at: 30, next: 1 }]);
        h.client.close();
      });
    });
  });
});

it('a repeated connection_ack with a shorter connectionTimeoutMs takes effect at once', () => {
  scheduler.run(() => {
    const h = createMarbleHarness(scheduler);
    const states = h.record(h.client.connectionState$);
    h.client.subscribe('/default/a').subscribe({ error: () => undefined });
    h.at(10, () => h.accept(0, 300_000));
    h.at(20, () => h.socket(0).receive({ type: 'connection_ack', connectionTimeoutMs: 1000 }));
    h.at(2000, () => {
      expect(states.find((s) => 'next' in s && s.next.status === 'reconnecting')).toEqual({
        at: 1020,
        next: expect.objectContaining({ error: anError(KeepAliveTimeoutError, { timeoutMs: 1000 }) }),
      });
      h.client.close();
    });
  });
});

describe('the credential scrubber', () => {
  const TOKEN = 'opaque-lambda-token-1234567890';

  it.each([
    ['an authorization field in escaped JSON', JSON.stringify({ request: JSON.stringify({ authorization: TOKEN }) }), TOKEN],
    ['a header- subprotocol echoed back (base64url of the API key)', `subprotocols: aws-appsync-event-ws, header-${Buffer.from(JSON.stringify({ host: 'h', 'x-api-key': 'da2-abcdefghijklmnopqrstuvwxyz' })).toString('base64url')}`, 'header-eyJ'],
    ['a JWT after a space', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', 'eyJ'],
  ])('removes %s', (_what, text, secret) => {
    expect(scrubSecrets(text)).not.toContain(secret);
    expect(scrubSecrets(text)).toContain('[redacted]');
  });

  it.each([
    ['a session token with an escaped slash', '{"x-amz-security-token":"IQoJb3JpZ2luX2VjEJr\\/SECRETTAIL+abc=="}', 'SECRETTAIL'],
    ['a token with a backslash', JSON.stringify({ authorization: 'lambda\\SECRETTAIL' }), 'SECRETTAIL'],
  ])('removes the whole of %s', (_what, text, secret) => {
    expect(scrubSecrets(text)).not.toContain(secret);
  });

  it('leaves ordinary text that merely starts like a subprotocol alone', () => {
    expect(scrubSecrets('Invalid header-subprotocol-configuration')).toBe('Invalid header-subprotocol-configuration');
  });

  it('cuts a long frame between tokens, so no half of a credential is quoted', () => {
    const key = 'da2-abcdefghijklmnopqrstuvwxyz';
    const head = `{"type":"nope","x-amz-security-token":"${'Q'.repeat(900)}","k":"`;
    const frame = `${head}${'x'.repeat(1000 - head.length - 23)}",${key}"}`;
    const { excerpt } = decodeReceiveMessage(frame) as UnsupportedMessageFormatError;
    expect(excerpt).not.toContain('da2-abcdefghijk');
    expect(excerpt).toContain('[redacted]');
  });

  it('scrubs the type name an undecodable frame quotes, and the excerpt of a non-JSON event', () => {
    const frame = decodeReceiveMessage(JSON.stringify({ type: `x-api-key=${TOKEN}` })) as UnsupportedMessageFormatError;
    expect(frame.message + frame.excerpt).not.toContain(TOKEN);
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      const reported: UnsupportedMessageFormatError[] = [];
      h.client.protocolErrors$.subscribe((e) => reported.push(e as UnsupportedMessageFormatError));
      h.client.subscribe('/default/a').subscribe();
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
        h.socket(0).receive({ type: 'data', id: 'id1', event: `x-api-key: da2-abcdefghijklmnopqrstuvwxyz1234` });
        expect(reported).toHaveLength(1);
        expect(reported[0]?.excerpt).toBe('x-api-key: [redacted]');
        h.client.close();
      });
    });
  });

  it('takes linear time on texts that made it quadratic (a 200 kB run of "-eyJ" took 11 s)', () => {
    // A guard against a denial of service by one frame, not a performance target: the bound is
    // two orders of magnitude above the linear cost.
    for (const text of ['-eyJ'.repeat(50_000), 'header-'.repeat(30_000), 'x'.repeat(200_000)]) {
      const started = Date.now();
      decodeReceiveMessage(text);
      scrubSecrets(JSON.stringify({ message: text }));
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });
});
