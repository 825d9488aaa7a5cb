/** createMockEventsClient: marble-testing code that depends on EventsClient, without a network. */
import { firstValueFrom, map, mergeMap, of, take, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ChannelNotSubscribedError, ConnectionClosedError, MarshalError, ValidationError, type EventsClient } from '../../src';
import { createMockEventsClient } from '../../src/testing';

const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Business logic under test: acknowledges every order by publishing to /default/acks. */
function acknowledgeOrders(client: EventsClient) {
  return client
    .subscribe<{ id: string }>('/default/orders')
    .pipe(mergeMap((order) => client.publish('/default/acks', [{ ack: order.id }]).pipe(map((r) => `${order.id}:${r.successful.length}`))));
}

it('serves each channel from the given Observable and records the calls, in virtual time', () => {
  scheduler().run(({ cold, expectObservable, flush }) => {
    const client = createMockEventsClient({ channels: { 'default/orders/': cold('-a--b|', { a: { id: 'o1' }, b: { id: 'o2' } }) } });
    expectObservable(acknowledgeOrders(client)).toBe('-a--b|', { a: 'o1:1', b: 'o2:1' });
    flush();
    expect(client.calls).toEqual([
      { op: 'subscribe', channel: '/default/orders' },
      { op: 'publish', channel: '/default/acks', events: [{ ack: 'o1' }] },
      { op: 'publish', channel: '/default/acks', events: [{ ack: 'o2' }] },
    ]);
  });
});

it('answers publishes with the chosen result, timed by the TestScheduler', () => {
  scheduler().run(({ cold, expectObservable }) => {
    const client = createMockEventsClient({
      channels: { '/default/orders': cold('a', { a: { id: 'o1' } }) },
      publish: () => cold('--(r|)', { r: { successful: [], failed: [{ index: 0, code: 'EventTooLargeException' }] } }),
    });
    expectObservable(acknowledgeOrders(client)).toBe('--a', { a: 'o1:0' });
  });
});

it('validates like the real client: typed errors and nothing recorded', async () => {
  const client = createMockEventsClient();
  await expect(firstValueFrom(client.publish('/default/*', [1]))).rejects.toBeInstanceOf(ValidationError);
  await expect(firstValueFrom(client.publish('/default/a', [10n]))).rejects.toBeInstanceOf(MarshalError);
  await expect(firstValueFrom(client.subscribe('/default/a_b'))).rejects.toBeInstanceOf(ValidationError);
  expect(client.calls).toEqual([]);
});

it('counts subscribers, completes them on unsubscribe(channel), and refuses unknown channels', async () => {
  const client = createMockEventsClient();
  let completed = 0;
  client.subscribe('/default/x').subscribe({ complete: () => completed++ });
  client.subscribeMessages('/default/x').subscribe({ complete: () => completed++ });
  expect(client.subscriberCount('default/x')).toBe(2);
  await client.unsubscribe('/default/x');
  expect(completed).toBe(2);
  expect(client.subscriberCount('/default/x')).toBe(0);
  await expect(client.unsubscribe('/default/x')).rejects.toBeInstanceOf(ChannelNotSubscribedError);
});

it('emits raw messages with the JSON string, reports subscribed$, and close() ends everything', async () => {
  const client = createMockEventsClient({ channels: { '/default/raw': of({ a: 1 }, 2) } });
  const seen = firstValueFrom(client.subscribed$);
  const messages = await firstValueFrom(client.subscribeMessages('default/raw').pipe(take(2), toArray()));
  expect(messages).toEqual([
    { type: 'data', channel: '/default/raw', event: '{"a":1}' },
    { type: 'data', channel: '/default/raw', event: '2' },
  ]);
  expect(await seen).toEqual({ channel: '/default/raw', resubscribed: false });
  let ended = false;
  client.subscribe('/default/never').subscribe({ complete: () => (ended = true) });
  client.close();
  expect(ended).toBe(true);
  await expect(firstValueFrom(client.publish('/default/a', [1]))).rejects.toBeInstanceOf(ConnectionClosedError);
  expect(JSON.stringify(client)).toContain('"status":"closed"');
});
