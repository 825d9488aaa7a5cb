/**
 * The Go seed library's three examples, against the emulator: publish two events → [0, 1];
 * subscribe receives the published event; unsubscribe succeeds.
 */
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { apiKeyConfig, createEventsClient, type EventsClient } from '../../src';
import { startEventApi, type EventApi } from '../../src/testing';

let api: EventApi;
let client: EventsClient;

beforeEach(async () => {
  api = await startEventApi();
  client = createEventsClient({ ...apiKeyConfig(api.httpEndpoint, api.realtimeEndpoint, api.apiKey), lingerMs: 0 });
});

afterEach(async () => {
  client.close();
  await api.close();
});

it('publishes two events and reports both indices as successful (seed: Output [0 1])', async () => {
  await client.connect();
  const result = await firstValueFrom(client.publish('/default/example', [{ a: '123' }, { b: '123' }]));
  expect(result.successful).toEqual([0, 1]);
  expect(result.failed).toEqual([]);
});

it('receives the event published on a subscribed channel (seed: Output eventa)', async () => {
  const received = firstValueFrom(client.subscribeMessages('/default/example'));
  await firstValueFrom(client.subscribed$);
  await api.publish('/default/example', ['eventa']);
  const message = await received;
  expect(message).toEqual({ type: 'data', channel: '/default/example', event: '"eventa"' });
});

it('unsubscribes from a subscribed channel (seed: Output channel is unsubscribed)', async () => {
  const events: unknown[] = [];
  let completed = false;
  client.subscribe('/default/example').subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
  await firstValueFrom(client.subscribed$);
  const unsubscribeFrame = firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'in' && t.type === 'unsubscribe')));
  await expect(client.unsubscribe('/default/example')).resolves.toBeUndefined();
  expect(completed).toBe(true);
  expect((await unsubscribeFrame).type).toBe('unsubscribe');
  expect(api.stats().subscriptions).toBe(0);
});

it('delivers parsed events in publish order to a typed subscriber', async () => {
  const values = firstValueFrom(client.subscribe<{ n: number }>('/default/order').pipe(take(3), toArray()));
  await firstValueFrom(client.subscribed$);
  await firstValueFrom(client.publish('/default/order', [{ n: 1 }, { n: 2 }, { n: 3 }]));
  expect(await values).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
});
