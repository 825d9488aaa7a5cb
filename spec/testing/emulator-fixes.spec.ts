/**
 * Regression tests for four emulator bugs: timer delays above 2^31-1 ms, invalid close codes in
 * `dropConnections`, `api.publish` hiding per-event failures, and `eventsPublished` counting
 * dropped events.
 *
 * "Nothing happened" is asserted against a later frame on the same socket: frames of one
 * connection arrive in the order the emulator sends them, and timers fire in order of expiry, so
 * once a frame scheduled 30 ms later has arrived, anything a clamped (1 ms) timer would have sent
 * has arrived too.
 */
import { request as httpsRequest } from 'node:https';
import { filter, firstValueFrom } from 'rxjs';
import { ServerError, ValidationError } from '../../src/errors';
import { generateSelfSignedCertificate, handlerError, type EventApi, type EventApiFaults } from '../../src/testing';
import { resolveOptions } from '../../src/testing/options';
import { MAX_TIMER_MS, TimerSet } from '../../src/testing/timers';
import type { RawClient } from '../helpers/raw-ws';
import { emulatorFixture, keyAuth, subscribe } from './fixture';

const fx = emulatorFixture();

/** Resolves once the emulator has received the frame with this operation id. */
function received(api: EventApi, id: string): Promise<unknown> {
  return firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'in' && t.id === id)));
}

/** A clock made of emulator signals: a subscribe whose reply is delayed by 30 ms, awaited. */
async function delayedRoundTrip(api: EventApi, client: RawClient, id: string): Promise<void> {
  api.faults.delayReplies(30);
  const reply = await subscribe(client, '/default/clock', keyAuth(api), id);
  expect(reply.type).toBe('subscribe_success');
  api.faults.delayReplies(0);
}

function expectValidationError(fn: () => unknown, reason: ValidationError['reason'], message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  expect((thrown as ValidationError).reason).toBe(reason);
  expect((thrown as ValidationError).message).toMatch(message);
}

describe('delays above 2^31-1 ms mean "never"', () => {
  describe('TimerSet', () => {
    afterEach(() => jest.useRealTimers());

    it('schedules nothing for a timeout or interval above 2147483647 ms (Node would fire it after 1 ms)', () => {
      jest.useFakeTimers();
      const timers = new TimerSet();
      const fired = jest.fn();
      for (const ms of [Infinity, 2 ** 31, Number.MAX_VALUE]) {
        timers.timeout(fired, ms);
        timers.interval(fired, ms);
      }
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(10_000);
      expect(fired).not.toHaveBeenCalled();
      timers.clear();
    });

    it('still schedules a timeout of exactly 2147483647 ms, and clear() cancels it', () => {
      jest.useFakeTimers();
      const timers = new TimerSet();
      const fired = jest.fn();
      timers.timeout(fired, MAX_TIMER_MS);
      expect(jest.getTimerCount()).toBe(1);
      timers.clear();
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(MAX_TIMER_MS);
      expect(fired).not.toHaveBeenCalled();
    });
  });

  it.each([Infinity, 2 ** 31])('keepAliveIntervalMs: %p sends no ka frames', async (keepAliveIntervalMs) => {
    const api = await fx.start({ keepAliveIntervalMs });
    const client = await fx.ready(api);
    await delayedRoundTrip(api, client, 'clock');
    expect(client.frames.filter((f) => f.type === 'ka')).toEqual([]);
  });

  it('delayReplies(Infinity) never answers, while the operation still takes effect', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    api.faults.delayReplies(Infinity);
    const seen = received(api, 'never');
    client.send({ type: 'subscribe', id: 'never', channel: '/default/a', authorization: keyAuth(api) });
    await seen;
    await delayedRoundTrip(api, client, 'clock');
    expect(client.frames.filter((f) => f.id === 'never')).toEqual([]);
    expect(api.stats().subscriptions).toBe(2);
  });

  it('delayAcks(Infinity) never sends connection_ack', async () => {
    const api = await fx.start();
    const client = await fx.connect(api);
    api.faults.delayAcks(Infinity);
    client.send({ type: 'connection_init' });
    await delayedRoundTrip(api, client, 'clock');
    expect(client.frames.filter((f) => f.type === 'connection_ack')).toEqual([]);
  });

  it('delayEvents(Infinity) never delivers; close() still leaves nothing running', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    const reply = await subscribe(client, '/default/a', keyAuth(api), 'events');
    expect(reply.type).toBe('subscribe_success');
    api.faults.delayEvents(Infinity);
    await api.publish('/default/a', [1]);
    await delayedRoundTrip(api, client, 'clock');
    expect(client.frames.filter((f) => f.type === 'data')).toEqual([]);
  });

  it.each([
    ['delayAcks', -1],
    ['delayAcks', Number.NaN],
    ['delayReplies', -5],
    ['delayReplies', Number.NaN],
    ['delayEvents', -Infinity],
    ['delayEvents', Number.NaN],
  ] as const)('%s(%p) throws ValidationError INVALID_ARGUMENT and changes nothing', async (control, ms) => {
    const api = await fx.start();
    const client = await fx.ready(api);
    expectValidationError(() => (api.faults[control] as EventApiFaults['delayReplies'])(ms), 'INVALID_ARGUMENT', new RegExp(`${control}.*0 or more.*Infinity`));
    // The fault state is untouched: an immediate round trip still works.
    expect((await subscribe(client, '/default/a', keyAuth(api))).type).toBe('subscribe_success');
  });

  it('options: Infinity is accepted for keepAliveIntervalMs and maxConnectionAgeMs; 0, negative, NaN are not', () => {
    expect(resolveOptions({ keepAliveIntervalMs: Infinity, maxConnectionAgeMs: Infinity })).toMatchObject({ keepAliveIntervalMs: Infinity, maxConnectionAgeMs: Infinity });
    for (const bad of [0, -1, Number.NaN]) {
      expectValidationError(() => resolveOptions({ keepAliveIntervalMs: bad }), 'INVALID_CONFIG', /keepAliveIntervalMs must be a positive number/);
      expectValidationError(() => resolveOptions({ maxConnectionAgeMs: bad }), 'INVALID_CONFIG', /maxConnectionAgeMs must be a positive number/);
    }
  });
});

describe('dropConnections({ code })', () => {
  it.each([999, 1004, 1005, 1015, 2999, 5000, 1000.5])('rejects close code %p with a ValidationError naming the rule, and drops no one', async (code) => {
    const api = await fx.start();
    const client = await fx.ready(api);
    expectValidationError(() => api.faults.dropConnections({ code }), 'INVALID_ARGUMENT', /1000.1003, 1007.1014 or 3000.4999/);
    expect(api.stats().connectionsOpen).toBe(1);
    expect((await subscribe(client, '/default/a', keyAuth(api))).type).toBe('subscribe_success');
  });

  it('rejects 1006 and points to terminate: true', async () => {
    const api = await fx.start();
    await fx.ready(api);
    expectValidationError(() => api.faults.dropConnections({ code: 1006 }), 'INVALID_ARGUMENT', /1000-1003, 1007-1014 or 3000-4999.*terminate: true/);
    expect(api.stats().connectionsOpen).toBe(1);
  });

  it('rejects a reason longer than 123 UTF-8 bytes', async () => {
    const api = await fx.start();
    await fx.ready(api);
    expectValidationError(() => api.faults.dropConnections({ code: 4000, reason: 'é'.repeat(62) }), 'INVALID_ARGUMENT', /123 bytes/);
    expect(api.stats().connectionsOpen).toBe(1);
  });

  it('closes every connection with a valid application code and reason', async () => {
    const api = await fx.start();
    const a = await fx.ready(api);
    const b = await fx.ready(api);
    api.faults.dropConnections({ code: 4000, reason: 'é'.repeat(61) });
    expect(await a.closed).toEqual({ code: 4000, reason: 'é'.repeat(61) });
    expect((await b.closed).code).toBe(4000);
    expect(api.stats().connectionsOpen).toBe(0);
  });
});

describe('api.publish with events refused one by one', () => {
  it('rejects with a ServerError naming the index and type of an event over 240 KB; the other events are broadcast', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    await subscribe(client, '/default/a', keyAuth(api), 's');
    const error: unknown = await api.publish('/default/a', [1, 'x'.repeat(300_000), 3]).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).operation).toBe('http-publish');
    expect((error as ServerError).errors).toEqual([{ errorType: 'EventTooLargeException', message: expect.stringMatching(/^event 1 of 3 was not broadcast: Event is \d+ bytes/) }]);
    expect((error as ServerError).message).toMatch(/EventTooLargeException: event 1 of 3/);
    expect((await client.nextOf('data', 's')).event).toBe('1');
    expect((await client.nextOf('data', 's')).event).toBe('3');
    expect(api.stats().eventsPublished).toBe(2);
  });

  it('rejects naming every event a handler marked with an error', async () => {
    const api = await fx.start({
      namespaces: [{ name: 'default', onPublish: (ctx) => ctx.events.map((e) => (e.payload === 'ok' ? e : { ...e, error: `no ${String(e.payload)}` })) }],
    });
    const error: unknown = await api.publish('/default/a', ['bad', 'ok', 'worse']).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).errors).toEqual([
      { errorType: 'MessageProcessingError', message: 'event 0 of 3 was not broadcast: no bad' },
      { errorType: 'MessageProcessingError', message: 'event 2 of 3 was not broadcast: no worse' },
    ]);
  });

  it('still resolves when a handler drops events (they count as successful), and rejects whole-request refusals as before', async () => {
    const api = await fx.start({ namespaces: ['default', { name: 'quiet', onPublish: () => [] }, { name: 'closed', onPublish: () => handlerError('nope') }] });
    await expect(api.publish('/quiet/a', [1, 2])).resolves.toBeUndefined();
    await expect(api.publish('/closed/a', [1])).rejects.toMatchObject({ errors: [{ errorType: 'UnauthorizedException', message: 'nope' }] });
  });
});

describe('stats().eventsPublished', () => {
  it('counts the events broadcast: not those the dropEvents fault discarded, a duplicated event once', async () => {
    const api = await fx.start();
    api.faults.dropEvents(1);
    await api.publish('/default/a', [1, 2]);
    expect(api.stats()).toMatchObject({ eventsPublished: 1, eventsDropped: 1 });
    api.faults.duplicateEvents(1);
    await api.publish('/default/a', [3]);
    expect(api.stats()).toMatchObject({ eventsPublished: 2, eventsDropped: 1 });
  });
});

describe('counts and the advertised connection timeout', () => {
  it.each([['refuseConnections'], ['expireCredentials'], ['dropEvents'], ['duplicateEvents'], ['reorderEvents']] as const)(
    '%s refuses a negative, fractional, NaN or infinite count with ValidationError',
    async (fault) => {
      const api = await fx.start();
      for (const count of [-1, 1.5, NaN, Infinity]) {
        expectValidationError(() => (api.faults[fault] as (n: number) => void)(count), 'INVALID_ARGUMENT', new RegExp(`^${fault} needs a whole number >= 0, got ${String(count)}$`));
      }
    },
  );

  it.each([[Infinity], [NaN], [0], [-5]])('refuses connectionTimeoutMs %p (it would be advertised as null or a non-positive time)', (value) => {
    expectValidationError(() => resolveOptions({ connectionTimeoutMs: value }), 'INVALID_CONFIG', /^connectionTimeoutMs must be a finite number of milliseconds above 0/);
  });
});

describe('generateSelfSignedCertificate (appsync-events-rx/testing)', () => {
  it('gives the emulator a TLS identity a client can trust: an HTTPS publish verified against api.certificate', async () => {
    const api = await fx.start({ tls: await generateSelfSignedCertificate() });
    expect(api.httpEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/event$/);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const body = JSON.stringify({ channel: '/default/a', events: ['1'] });
      const req = httpsRequest(api.httpEndpoint, { method: 'POST', ca: api.certificate, headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(200);
  });
});
