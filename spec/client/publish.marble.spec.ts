/**
 * Marble tests of publishing over the WebSocket, in virtual time on a fake socket: the publish
 * frame, batching by five with merged indices, server errors, timeouts, validation before anything
 * is sent, waiting for the connection, unknown outcomes on a drop, idempotent re-sends and
 * cancellation.
 */
import type { Subscription } from 'rxjs';
import { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { apiKeyAuth } from '../../src/auth/api-key';
import type { AuthProvider } from '../../src/auth/types';
import type { Authorization } from '../../src/protocol/messages';
import {
  MarshalError,
  PartialPublishError,
  PublishOutcomeUnknownError,
  ServerError,
  TimeoutError,
  UnauthorizedError,
  ValidationError,
  ConnectionError,
} from '../../src/errors';
import { MAX_EVENT_BYTES } from '../../src/protocol/limits';
import { API_KEY, AUTH, HTTP_HOST, anError, createMarbleHarness, type Frame } from '../helpers/fake-socket';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

const init = { type: 'connection_init' };
const publishFrame = (id: string, channel: string, events: string[], authorization: Authorization = AUTH) => ({
  type: 'publish',
  id,
  channel,
  events,
  authorization,
});
const ok = (id: string, indices: number[], failed: Frame[] = []) => ({
  type: 'publish_success',
  id,
  successful: indices.map((index) => ({ identifier: `ev-${id}-${index}`, index })),
  failed,
});

describe('publish frame and result', () => {
  it('sends the events as JSON strings with the authorization, and emits the per-event result at the reply', () => {
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      const failed = { identifier: 'ev-x', index: 1, code: 'EventTooLargeException', message: 'Transformed event is larger than 240KB' };
      expectObservable(h.client.publish('default/a', [{ text: 'hi' }, 42, 'plain', null])).toBe('20ms (r|)', {
        r: { successful: [0, 2, 3], failed: [{ index: 1, identifier: 'ev-x', code: 'EventTooLargeException', message: 'Transformed event is larger than 240KB' }] },
      });
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'publish_success', id: 'id1', successful: [{ identifier: 'a', index: 0 }, { identifier: 'c', index: 2 }, { identifier: 'd', index: 3 }], failed: [failed] }));
      h.at(30, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sentLog).toEqual([
      { at: 10, frame: init },
      { at: 10, frame: publishFrame('id1', '/default/a', ['{"text":"hi"}', '42', '"plain"', 'null']) },
    ]);
  });

  it('splits more than five events into sequential requests of at most five and maps every index back to the caller', () => {
    const events = Array.from({ length: 12 }, (_, i) => i);
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.publish('/default/a', events)).toBe('40ms (r|)', {
        r: {
          successful: [0, 1, 2, 3, 4, 5, 7, 8, 9, 10],
          failed: [
            { index: 6, identifier: 'f6', code: 'EventTooLargeException', message: 'too large' },
            { index: 11, identifier: 'f11', code: 'InternalError' },
          ],
        },
      });
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive(ok('id1', [0, 1, 2, 3, 4])));
      h.at(30, () => h.socket(0).receive(ok('id2', [0, 2, 3, 4], [{ identifier: 'f6', index: 1, code: 'EventTooLargeException', message: 'too large' }])));
      h.at(40, () => h.socket(0).receive(ok('id3', [0], [{ identifier: 'f11', index: 1, code: 'InternalError' }])));
      h.at(50, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sentLog).toEqual([
      { at: 10, frame: init },
      { at: 10, frame: publishFrame('id1', '/default/a', ['0', '1', '2', '3', '4']) },
      { at: 20, frame: publishFrame('id2', '/default/a', ['5', '6', '7', '8', '9']) },
      { at: 30, frame: publishFrame('id3', '/default/a', ['10', '11']) },
    ]);
  });

  it('publish_error fails the publish with a ServerError carrying errors[]; later batches are not sent (after an answered request: a PartialPublishError with its result)', () => {
    const errors = [{ errorType: 'BadRequestException', message: 'handler refused' }];
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.publish('/default/b', [1])).toBe('40ms #', undefined, anError(ServerError, { operation: 'publish', errors }));
      expectObservable(h.client.publish('/default/a', [1, 2, 3, 4, 5, 6, 7])).toBe('30ms #', undefined,
        anError(PartialPublishError, { channel: '/default/a', result: { successful: [0, 1, 2, 3, 4], failed: [] }, cause: anError(ServerError, { operation: 'publish', errors }) }),
      );
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive(ok('id2', [0, 1, 2, 3, 4])));
      h.at(30, () => h.socket(0).receive({ type: 'publish_error', id: 'id3', errors }));
      h.at(40, () => h.socket(0).receive({ type: 'publish_error', id: 'id1', errors }));
      h.at(100, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sent).toEqual([init, publishFrame('id1', '/default/b', ['1']), publishFrame('id2', '/default/a', ['1', '2', '3', '4', '5']), publishFrame('id3', '/default/a', ['6', '7'])]);
  });

  it('retries an Unauthorized publish_error once with fresh auth', () => {
    let n = 0;
    const auth: AuthProvider = (request) => ({ host: request.host, Authorization: `token-${++n}` });
    const token = (k: number) => ({ host: HTTP_HOST, Authorization: `token-${k}` });
    const errors = [{ errorType: 'UnauthorizedException', message: 'expired' }];
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { auth });
      expectObservable(h.client.publish('/default/a', [1])).toBe('30ms #', undefined, anError(UnauthorizedError, { operation: 'publish', errors }));
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'publish_error', id: 'id1', errors }));
      h.at(30, () => h.socket(0).receive({ type: 'publish_error', id: 'id2', errors }));
      h.at(100, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sentLog).toEqual([
      { at: 10, frame: init },
      { at: 10, frame: publishFrame('id1', '/default/a', ['1'], token(2)) },
      { at: 20, frame: publishFrame('id2', '/default/a', ['1'], token(3)) },
    ]);
  });
});

describe('publish authorization and result order', () => {
  it('with apiKeyAuth, each frame carries config.headers then the key (one object reused), and a per-publish apiKeyAuth wins', () => {
    const headers = { 'x-extra': 'v', host: 'overridden-by-the-provider' };
    const merged = { 'x-extra': 'v', host: HTTP_HOST, 'x-api-key': API_KEY };
    const other = { 'x-extra': 'v', host: HTTP_HOST, 'x-api-key': 'da2-otherotherotherotherother' };
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { auth: apiKeyAuth(API_KEY), headers });
      expectObservable(h.client.publish('/default/a', [1])).toBe('20ms (r|)', { r: { successful: [0], failed: [] } });
      expectObservable(h.client.publish('/default/a', [2], { auth: apiKeyAuth('da2-otherotherotherotherother') })).toBe('20ms (r|)', { r: { successful: [0], failed: [] } });
      expectObservable(h.client.publish('/default/a', [3])).toBe('20ms (r|)', { r: { successful: [0], failed: [] } });
      h.at(10, () => h.accept(0));
      h.at(20, () => ['id1', 'id2', 'id3'].forEach((id) => h.socket(0).receive(ok(id, [0]))));
      h.at(30, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sent).toEqual([
      init,
      publishFrame('id1', '/default/a', ['1'], merged),
      publishFrame('id2', '/default/a', ['2'], other),
      publishFrame('id3', '/default/a', ['3'], merged),
    ]);
    // The field order on the wire is the merge order: extra headers first.
    expect(Object.keys(JSON.parse(h.socket(0).sentText[1] as string).authorization)).toEqual(['x-extra', 'host', 'x-api-key']);
  });

  it('with apiKeyAuth, an Unauthorized publish_error is still retried once', () => {
    const errors = [{ errorType: 'UnauthorizedException', message: 'bad key' }];
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { auth: apiKeyAuth(API_KEY) });
      expectObservable(h.client.publish('/default/a', [1])).toBe('30ms #', undefined, anError(UnauthorizedError, { operation: 'publish', errors }));
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'publish_error', id: 'id1', errors }));
      h.at(30, () => h.socket(0).receive({ type: 'publish_error', id: 'id2', errors }));
      h.at(100, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sent).toEqual([init, publishFrame('id1', '/default/a', ['1']), publishFrame('id2', '/default/a', ['1'])]);
  });

  it('sorts the lists of a single request by caller index whatever the server order, and keeps only the failure fields given', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.publish('/default/a', [1, 2, 3, 4, 5])).toBe('20ms (r|)', {
        r: { successful: [0, 2, 4], failed: [{ index: 1, code: '400' }, { index: 3, identifier: 'x', message: 'no' }] },
      });
      h.at(10, () => h.accept(0));
      h.at(20, () =>
        h.socket(0).receive({
          type: 'publish_success',
          id: 'id1',
          successful: [{ identifier: 'c', index: 4 }, { identifier: 'a', index: 0 }, { identifier: 'b', index: 2 }],
          failed: [{ index: 3, identifier: 'x', message: 'no' }, { index: 1, code: 400 }],
        }),
      );
      h.at(30, () => h.client.close());
    });
  });
});

describe('publish timeouts', () => {
  it('fails with TimeoutError at exactly timeoutMs after the call (waiting for the connection counts), and ignores a late reply', () => {
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.publish('/default/a', [1], { timeoutMs: 500 }), '5ms ^').toBe('505ms #', undefined, anError(TimeoutError, { operation: 'publish', timeoutMs: 500 }));
      h.at(100, () => h.accept(0));
      h.at(600, () => h.socket(0).receive(ok('id1', [0])));
      h.at(700, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sentLog.map((e) => e.at)).toEqual([100, 100]);
  });

  it('uses requestTimeoutMs per request of five, each timed from its own start', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { requestTimeoutMs: 1000 });
      expectObservable(h.client.publish('/default/a', [1, 2, 3, 4, 5, 6])).toBe('1900ms #', undefined,
        anError(PartialPublishError, { result: { successful: [0, 1, 2, 3, 4], failed: [] }, cause: anError(TimeoutError, { operation: 'publish', timeoutMs: 1000 }) }),
      );
      h.at(10, () => h.accept(0));
      h.at(900, () => h.socket(0).receive(ok('id1', [0, 1, 2, 3, 4]))); // second request starts at 900
      h.at(2000, () => h.client.close());
    });
  });
});

describe('validation before sending', () => {
  const cases: [string, string, unknown[], unknown][] = [
    ['a wildcard channel', '/default/*', [1], anError(ValidationError, { reason: 'WILDCARD_NOT_ALLOWED' })],
    ['an invalid channel', '/default/a b', [1], anError(ValidationError, { reason: 'INVALID_CHANNEL' })],
    ['no events', '/default/a', [], anError(ValidationError, { reason: 'NO_EVENTS' })],
    ['an event over 240 KB', '/default/a', [1, 'x'.repeat(MAX_EVENT_BYTES - 1)], anError(ValidationError, { reason: 'EVENT_TOO_LARGE', index: 1 })],
    ['a BigInt', '/default/a', [1, 2, BigInt(3)], anError(MarshalError, { index: 2 })],
    ['undefined', '/default/a', [undefined], anError(MarshalError, { index: 0 })],
  ];

  it.each(cases)('rejects %s at once and sends nothing on an open connection', (_name, channel, events, expected) => {
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      h.at(0, () => void h.client.connect());
      h.at(10, () => h.accept(0));
      expectObservable(h.client.publish(channel, events), '20ms ^').toBe('20ms #', undefined, expected);
      h.at(100, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sent).toEqual([init]);
  });

  it.each(cases)('rejects %s without opening a socket', (_name, channel, events, expected) => {
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.publish(channel, events)).toBe('#', undefined, expected);
      return h;
    });
    expect(h.sockets).toHaveLength(0);
  });

  it('accepts an event of exactly 240 KB', () => {
    const text = 'x'.repeat(MAX_EVENT_BYTES - 2); // plus two quotes
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      const result = h.record(h.client.publish('/default/a', [text]));
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive(ok('id1', [0])));
      h.at(30, () => {
        expect(result).toEqual([{ at: 20, next: { successful: [0], failed: [] } }, { at: 20, complete: true }]);
        h.client.close();
      });
      return h;
    });
    expect(h.socket(0).sent[1]).toEqual(publishFrame('id1', '/default/a', [JSON.stringify(text)]));
  });
});

describe('publish and the connection', () => {
  it('waits for the ack while disconnected, then sends', () => {
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.publish('/default/a', ['hi'])).toBe('30ms (r|)', { r: { successful: [0], failed: [] } });
      h.at(10, () => h.socket(0).open());
      h.at(20, () => h.socket(0).receive({ type: 'connection_ack', connectionTimeoutMs: 300_000 }));
      h.at(30, () => h.socket(0).receive(ok('id1', [0])));
      h.at(40, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sentLog).toEqual([
      { at: 10, frame: init },
      { at: 20, frame: publishFrame('id1', '/default/a', ['"hi"']) },
    ]);
  });

  it('fails with PublishOutcomeUnknownError (the indices of the request on the wire) when the socket drops before the reply, as the cause of a PartialPublishError after an answered request', () => {
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0.5 } });
      expectObservable(h.client.publish('/default/a', [1, 2, 3, 4, 5, 6, 7])).toBe('30ms #', undefined,
        anError(PartialPublishError, { result: { successful: [0, 1, 2, 3, 4], failed: [] }, cause: anError(PublishOutcomeUnknownError, { channel: '/default/a', indices: [5, 6] }) }),
      );
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive(ok('id1', [0, 1, 2, 3, 4])));
      h.at(30, () => h.socket(0).serverClose(1006));
      h.at(2000, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sent).toHaveLength(3);
    // Nothing is re-sent on the next connection.
    for (const s of h.sockets.slice(1)) expect(s.sent.filter((f) => f.type === 'publish')).toEqual([]);
  });

  it('with idempotent: true re-sends the request on the next connection instead (new id)', () => {
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0.5 } });
      expectObservable(h.client.publish('/default/a', [1, 2], { idempotent: true })).toBe('210ms (r|)', { r: { successful: [0, 1], failed: [] } });
      h.at(10, () => h.accept(0));
      h.at(30, () => h.socket(0).serverClose(1006)); // reconnect after 100
      h.at(200, () => h.accept(1));
      h.at(210, () => h.socket(1).receive(ok('id2', [0, 1])));
      h.at(300, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sent).toEqual([init, publishFrame('id1', '/default/a', ['1', '2'])]);
    expect(h.socket(1).sentLog).toEqual([
      { at: 200, frame: init },
      { at: 200, frame: publishFrame('id2', '/default/a', ['1', '2']) },
    ]);
  });

  it('publishes in flight keep the connection in use until the last one ends, then it lingers and closes (lingerMs 0)', () => {
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { lingerMs: 0 });
      expectObservable(h.client.connectionState$).toBe('a b 8ms c 39ms d', {
        a: { status: 'idle' },
        b: { status: 'connecting', attempt: 1 },
        c: { status: 'connected', connectionTimeoutMs: 300_000 },
        d: { status: 'idle' },
      });
      h.at(1, () => h.client.publish('/default/a', [1]).subscribe());
      h.at(2, () => h.client.publish('/default/a', [2]).subscribe());
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive(ok('id1', [0])));
      // A third publish starts while the second is in flight, and an early unsubscribe ends one.
      h.at(30, () => {
        const sub = h.client.publish('/default/a', [3]).subscribe();
        h.at(40, () => sub.unsubscribe());
      });
      h.at(35, () => expect(h.socket(0).closedByClient).toBe(false));
      h.at(50, () => h.socket(0).receive(ok('id2', [0])));
      return h;
    });
    expect(h.socket(0).closeCalls.map((c) => c.at)).toEqual([50]);
    expect(scheduler.actions).toEqual([]);
  });

  it('with lingerMs 0, a publish failing on a drop leaves the client idle: no reconnection for nobody', () => {
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { lingerMs: 0, retry: { random: () => 0.5 } });
      expectObservable(h.client.connectionState$).toBe('a b 8ms c 19ms d', {
        a: { status: 'idle' },
        b: { status: 'connecting', attempt: 1 },
        c: { status: 'connected', connectionTimeoutMs: 300_000 },
        d: { status: 'idle' },
      });
      h.at(1, () => h.client.publish('/default/a', [1]).subscribe({ error: () => undefined }));
      h.at(10, () => h.accept(0));
      h.at(30, () => h.socket(0).serverClose(1006));
      return h;
    });
    expect(h.sockets).toHaveLength(1);
    expect(scheduler.actions).toEqual([]);
  });

  it('a connection failure while waiting fails the publish with that error', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.publish('/default/a', [1])).toBe('10ms #', undefined, anError(ConnectionError, { httpStatus: 401 }));
      h.at(10, () => h.socket(0).fail('Unexpected server response: 401'));
    });
  });
});

describe('cancelling a publish', () => {
  it('unsubscribing early stops the remaining requests and ignores the late reply', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { lingerMs: 1000 });
      const seen: unknown[] = [];
      let sub: Subscription | undefined;
      h.at(0, () => (sub = h.client.publish('/default/a', [1, 2, 3, 4, 5, 6]).subscribe({ next: (r) => seen.push(r), error: (e: unknown) => seen.push(e) })));
      h.at(10, () => h.accept(0));
      h.at(15, () => sub?.unsubscribe());
      h.at(20, () => h.socket(0).receive(ok('id1', [0, 1, 2, 3, 4])));
      h.at(21, () => expect(seen).toEqual([]));
      return h;
    });
    expect(h.socket(0).sent).toEqual([init, publishFrame('id1', '/default/a', ['1', '2', '3', '4', '5'])]);
    expect(h.socket(0).closeCalls).toEqual([{ code: 1000, reason: 'idle', at: 1015 }]); // nothing holds the connection any more
    expect(scheduler.actions).toEqual([]); // no request timer left
  });

  it('unsubscribing before the connection is up sends nothing', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      let sub: Subscription | undefined;
      h.at(0, () => (sub = h.client.publish('/default/a', [1]).subscribe()));
      h.at(5, () => sub?.unsubscribe());
      h.at(10, () => h.accept(0));
      h.at(20, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sent).toEqual([init]);
  });
});

describe('connection lost while the publish authorization is pending', () => {
  it('sends nothing on the lost socket (the outcome is known: not sent) and publishes on the next session', () => {
    const h = scheduler.run(({ expectObservable }) => {
      const auth: AuthProvider = (request) => {
        if (request.kind === 'connect') return { host: request.host, Authorization: 'connect-token' };
        const answer = { host: request.host, Authorization: `publish-token-${scheduler.now()}` };
        return new Observable<Authorization>((s) => scheduler.schedule(() => (s.next(answer), s.complete()), 100));
      };
      const h = createMarbleHarness(scheduler, { auth, retry: { random: () => 0.5 } });
      // Not idempotent: a publish whose frame had gone out would fail with PublishOutcomeUnknownError.
      expectObservable(h.client.publish('/default/a', [1])).toBe('270ms (r|)', { r: { successful: [0], failed: [] } });
      h.at(10, () => h.accept(0)); // the publish asks for its authorization: answered at 110
      h.at(50, () => h.socket(0).serverClose(1001, 'going away')); // retry after 100
      h.at(160, () => h.accept(1)); // asks again: answered at 260
      h.at(270, () => h.socket(1).receive(ok('id1', [0])));
      h.at(300, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sent).toEqual([init]);
    expect(h.socket(1).sentLog).toEqual([
      { at: 160, frame: init },
      { at: 260, frame: publishFrame('id1', '/default/a', ['1'], { host: HTTP_HOST, Authorization: 'publish-token-160' }) },
    ]);
  });
});
