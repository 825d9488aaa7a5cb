import { filter, firstValueFrom, toArray } from 'rxjs';
import { ServerError, ValidationError } from '../../src/errors';
import { handlerError, startEventApi } from '../../src/testing';
import type { TrafficRecord } from '../../src/testing';
import { connectRaw, headerSubprotocols, UpgradeRefusedError } from '../helpers/raw-ws';
import { emulatorFixture, keyAuth, opId, publish, subscribe } from './fixture';

const fx = emulatorFixture();

describe('fault controls', () => {
  it('dropConnections closes every socket with the given code and reason', async () => {
    const api = await fx.start();
    const a = await fx.ready(api);
    const b = await fx.ready(api);
    api.faults.dropConnections({ code: 4001, reason: 'maintenance' });
    expect(await a.closed).toEqual({ code: 4001, reason: 'maintenance' });
    expect(await b.closed).toEqual({ code: 4001, reason: 'maintenance' });
    expect(api.connectionIds()).toEqual([]);
  });

  it('dropConnections defaults to 1000 and can cut sockets without a close frame', async () => {
    const api = await fx.start();
    const a = await fx.ready(api);
    api.faults.dropConnections();
    expect((await a.closed).code).toBe(1000);
    const b = await fx.ready(api);
    api.faults.dropConnections({ terminate: true });
    expect((await b.closed).code).toBe(1006);
  });

  it('pauseKeepAlive stops ka frames until resumeKeepAlive', async () => {
    const api = await fx.start({ keepAliveIntervalMs: 10 });
    const client = await fx.connect(api);
    await client.nextOf('ka');
    api.faults.pauseKeepAlive();
    const kaBefore = client.frames.filter((f) => f.type === 'ka').length;
    // A reply delayed by 100 ms is the clock: ten ka intervals pass while it is pending.
    api.faults.delayReplies(100);
    await subscribe(client, '/default/a', keyAuth(api));
    expect(client.frames.filter((f) => f.type === 'ka').length).toBeLessThanOrEqual(kaBefore + 1);
    const kaPaused = client.frames.filter((f) => f.type === 'ka').length;
    api.faults.resumeKeepAlive();
    await client.nextOf('ka');
    expect(client.frames.filter((f) => f.type === 'ka').length).toBeGreaterThan(kaPaused);
  });

  it('refuseConnections refuses the next n upgrades with the status (default 503)', async () => {
    const api = await fx.start();
    api.faults.refuseConnections(2, 500);
    await expect(fx.connect(api)).rejects.toEqual(new UpgradeRefusedError(500));
    await expect(fx.connect(api)).rejects.toEqual(new UpgradeRefusedError(500));
    await fx.ready(api);
    api.faults.refuseConnections(1);
    await expect(fx.connect(api)).rejects.toEqual(new UpgradeRefusedError(503));
    expect(() => api.faults.refuseConnections(1, 200)).toThrow(ValidationError);
  });

  it('delayAcks delays connection_ack', async () => {
    const api = await fx.start();
    api.faults.delayAcks(80);
    const client = await fx.connect(api);
    const sent = Date.now();
    client.send({ type: 'connection_init' });
    await client.nextOf('connection_ack');
    expect(Date.now() - sent).toBeGreaterThanOrEqual(75);
  });

  it('withholdAcks swallows connection_init until turned off', async () => {
    const api = await fx.start();
    api.faults.withholdAcks(true);
    const client = await fx.connect(api);
    const received = firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'in')));
    client.send({ type: 'connection_init' });
    await received;
    api.faults.withholdAcks(false);
    client.send({ type: 'connection_init' });
    await client.nextOf('connection_ack');
    expect(client.frames.filter((f) => f.type === 'connection_ack')).toHaveLength(1);
  });

  it('delayReplies delays replies to operations, not data', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    await subscribe(client, '/default/a', keyAuth(api), 's');
    api.faults.delayReplies(80);
    const sent = Date.now();
    const id = opId();
    client.send({ type: 'publish', id, channel: '/default/a', events: ['1'], authorization: keyAuth(api) });
    await client.nextOf('data', 's');
    const reply = await client.next((f) => f.id === id);
    expect(reply.type).toBe('publish_success');
    expect(Date.now() - sent).toBeGreaterThanOrEqual(75);
    expect(client.frames.findIndex((f) => f.type === 'data')).toBeLessThan(client.frames.indexOf(reply));
  });

  it('withholdReplies drops replies but still performs the operations', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    api.faults.withholdReplies(true);
    const received = firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'in' && t.id === 'silent')));
    client.send({ type: 'subscribe', id: 'silent', channel: '/default/a', authorization: keyAuth(api) });
    await received;
    api.faults.withholdReplies(false);
    await publish(client, '/default/a', ['"x"'], keyAuth(api));
    expect((await client.nextOf('data', 'silent')).event).toBe('"x"');
    expect(client.frames.some((f) => f.type === 'subscribe_success')).toBe(false);
  });

  it('sendRaw sends a frame to every connection or to one', async () => {
    const api = await fx.start();
    const a = await fx.ready(api);
    const b = await fx.ready(api);
    const [idA, idB] = api.connectionIds();
    expect(idA).toBeDefined();
    api.faults.sendRaw('{"type":"broadcast_error","id":"x","errors":[]}');
    expect((await a.nextOf('broadcast_error')).id).toBe('x');
    expect((await b.nextOf('broadcast_error')).id).toBe('x');
    api.faults.sendRaw('not json at all', idB);
    expect((await b.nextOf('<non-json>')).raw).toBe('not json at all');
    api.faults.sendRaw('{"type":"marker"}', idA);
    await a.nextOf('marker');
    expect(a.frames.some((f) => f.raw === 'not json at all')).toBe(false);
    expect(() => api.faults.sendRaw('{}', 'c999')).toThrow(ValidationError);
  });

  it('expireCredentials fails the next n operations (WS and HTTP) as unauthorized, then recovers', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    api.faults.expireCredentials(3);
    expect(await subscribe(client, '/default/a', keyAuth(api))).toMatchObject({ type: 'subscribe_error', errors: [{ errorType: 'UnauthorizedException' }] });
    expect(await publish(client, '/default/a', ['1'], keyAuth(api))).toMatchObject({ type: 'publish_error', errors: [{ errorType: 'UnauthorizedException' }] });
    const http = await fetch(api.httpEndpoint, { method: 'POST', headers: { 'x-api-key': api.apiKey }, body: JSON.stringify({ channel: '/default/a', events: ['1'] }) });
    expect(http.status).toBe(401);
    expect((await subscribe(client, '/default/a', keyAuth(api))).type).toBe('subscribe_success');
  });

  it('reset restores normal behaviour', async () => {
    const api = await fx.start();
    api.faults.withholdAcks(true);
    api.faults.withholdReplies(true);
    api.faults.delayAcks(10_000);
    api.faults.refuseConnections(5);
    api.faults.expireCredentials(5);
    api.faults.pauseKeepAlive();
    api.faults.reset();
    const client = await fx.ready(api);
    expect((await subscribe(client, '/default/a', keyAuth(api))).type).toBe('subscribe_success');
  });
});

describe('observability', () => {
  it('traffic$ carries every frame in and out with connection and operation ids', async () => {
    const api = await fx.start();
    const records: TrafficRecord[] = [];
    const sub = api.traffic$.subscribe((r) => records.push(r));
    const client = await fx.ready(api);
    await subscribe(client, '/default/a', keyAuth(api), 'sub-t');
    client.send('garbage');
    await client.nextOf('error');
    sub.unsubscribe();
    const connectionId = api.connectionIds()[0];
    expect(records.map((r) => [r.direction, r.type, r.id])).toEqual([
      ['in', 'connection_init', undefined],
      ['out', 'connection_ack', undefined],
      ['in', 'subscribe', 'sub-t'],
      ['out', 'subscribe_success', 'sub-t'],
      ['in', 'invalid', undefined],
      ['out', 'error', undefined],
    ]);
    expect(records.every((r) => r.connectionId === connectionId)).toBe(true);
    expect(records[4]?.raw).toBe('garbage');
  });

  it('stats counts connections, subscriptions, frames and events', async () => {
    const api = await fx.start();
    const a = await fx.ready(api);
    const b = await fx.ready(api);
    await subscribe(a, '/default/a', keyAuth(api));
    await subscribe(b, '/default/*', keyAuth(api));
    await publish(a, '/default/a', ['1', '2'], keyAuth(api));
    await b.nextOf('data');
    await b.nextOf('data');
    await fetch(api.httpEndpoint, { method: 'POST', headers: { 'x-api-key': api.apiKey }, body: JSON.stringify({ channel: '/default/b', events: ['3'] }) });
    await b.nextOf('data');
    api.faults.dropConnections();
    expect(api.stats()).toEqual({
      connectionsOpened: 2,
      connectionsOpen: 0,
      subscriptions: 0,
      received: { connection_init: 2, subscribe: 2, publish: 1 },
      sent: { connection_ack: 2, subscribe_success: 2, publish_success: 1, data: 5 },
      httpPublishes: 1,
      eventsPublished: 3,
      eventsDropped: 0,
    });
  });

  it('publish() from the server side runs the namespace pipeline and reaches subscribers', async () => {
    const api = await fx.start({ namespaces: ['default', { name: 'closed', onPublish: () => handlerError('nope') }] });
    const client = await fx.ready(api);
    await subscribe(client, '/default/*', keyAuth(api), 's');
    await api.publish('default/x', [{ a: 1 }, 'two', null]);
    expect((await client.nextOf('data', 's')).event).toBe('{"a":1}');
    expect((await client.nextOf('data', 's')).event).toBe('"two"');
    expect((await client.nextOf('data', 's')).event).toBe('null');
    await expect(api.publish('/default/*', [1])).rejects.toBeInstanceOf(ValidationError);
    await expect(api.publish('/nope/a', [1])).rejects.toBeInstanceOf(ValidationError);
    await expect(api.publish('/default/a', [undefined])).rejects.toBeInstanceOf(ValidationError);
    await expect(api.publish('/closed/a', [1])).rejects.toBeInstanceOf(ServerError);
  });
});

describe('close()', () => {
  it('terminates every socket, completes traffic$, stops listening, and is idempotent', async () => {
    const api = await startEventApi({ keepAliveIntervalMs: 5, maxConnectionAgeMs: 60_000 });
    const done = firstValueFrom(api.traffic$.pipe(toArray()));
    const client = await connectRaw(api.realtimeEndpoint, { protocols: headerSubprotocols({ host: api.host, 'x-api-key': api.apiKey }) });
    client.send({ type: 'connection_init' });
    await client.nextOf('connection_ack');
    api.faults.delayReplies(10_000);
    client.send({ type: 'subscribe', id: 'pending', channel: '/default/a', authorization: { 'x-api-key': api.apiKey } });
    await client.nextOf('ka');
    await Promise.all([api.close(), api.close()]);
    expect((await client.closed).code).toBe(1006);
    expect((await done).length).toBeGreaterThan(0);
    expect(api.connectionIds()).toEqual([]);
    await expect(connectRaw(api.realtimeEndpoint, { protocols: ['aws-appsync-event-ws'] })).rejects.toThrow(/ECONNREFUSED/);
    await expect(fetch(api.httpEndpoint, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('closes while an HTTP keep-alive connection is open', async () => {
    const api = await startEventApi();
    const res = await fetch(api.httpEndpoint, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    await api.close();
  });
});
