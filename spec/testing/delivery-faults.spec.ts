/** Per-event delivery faults (protocol reference §7.5/§10): drop, duplicate, delay, reorder. */
import { emulatorFixture, keyAuth, subscribe } from './fixture';
import type { RawClient } from '../helpers/raw-ws';
import type { EventApi } from '../../src/testing';

const fx = emulatorFixture();

async function subscribed(): Promise<{ api: EventApi; client: RawClient; id: string }> {
  const api = await fx.start();
  const client = await fx.ready(api);
  const reply = await subscribe(client, '/default/f', keyAuth(api));
  expect(reply.type).toBe('subscribe_success');
  return { api, client, id: reply.id as string };
}

async function events(client: RawClient, id: string, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push((await client.nextOf('data', id)).event as string);
  return out;
}

it('drops the next N events for every subscriber and counts them', async () => {
  const { api, client, id } = await subscribed();
  api.faults.dropEvents(2);
  await api.publish('/default/f', [1, 2, 3]);
  expect(await events(client, id, 1)).toEqual(['3']);
  expect(api.stats().eventsDropped).toBe(2);
  await api.publish('/default/f', [4]);
  expect(await events(client, id, 1)).toEqual(['4']);
});

it('delivers the next N events twice', async () => {
  const { api, client, id } = await subscribed();
  api.faults.duplicateEvents(1);
  await api.publish('/default/f', [1, 2]);
  expect(await events(client, id, 3)).toEqual(['1', '1', '2']);
});

it('holds a group of events and delivers it in reverse order', async () => {
  const { api, client, id } = await subscribed();
  api.faults.reorderEvents(3);
  await api.publish('/default/f', [1, 2]);
  await api.publish('/default/f', [3, 4]);
  expect(await events(client, id, 4)).toEqual(['3', '2', '1', '4']);
});

it('reset() releases events held for reordering', async () => {
  const { api, client, id } = await subscribed();
  api.faults.reorderEvents(10);
  await api.publish('/default/f', [1, 2]);
  api.faults.reset();
  expect(await events(client, id, 2)).toEqual(['2', '1']);
});

it('delays every event, and close() cancels deliveries still pending', async () => {
  const { api, client, id } = await subscribed();
  api.faults.delayEvents(30);
  const started = Date.now();
  await api.publish('/default/f', [1]);
  expect(client.frames.some((f) => f.type === 'data')).toBe(false);
  expect(await events(client, id, 1)).toEqual(['1']);
  expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  api.faults.delayEvents(60_000);
  await api.publish('/default/f', [2]);
  // afterEach closes the emulator: the pending 60 s delivery must not keep Jest alive.
});

describe('ignoreEarlyUnsubscribe', () => {
  it('ignores an unsubscribe sent before subscribe_success; the subscription stays live', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    api.faults.delayReplies(40);
    api.faults.ignoreEarlyUnsubscribe(true);
    client.send({ type: 'subscribe', id: 'early', channel: '/default/e', authorization: keyAuth(api) });
    client.send({ type: 'unsubscribe', id: 'early' });
    await client.nextOf('subscribe_success', 'early');
    api.faults.delayReplies(0);
    await api.publish('/default/e', ['still here']);
    expect((await client.nextOf('data', 'early')).event).toBe('"still here"');
    expect(client.frames.some((f) => f.type === 'unsubscribe_success' || f.type === 'unsubscribe_error')).toBe(false);
    client.send({ type: 'unsubscribe', id: 'early' });
    await client.nextOf('unsubscribe_success', 'early');
    expect(api.stats().subscriptions).toBe(0);
  });
});
