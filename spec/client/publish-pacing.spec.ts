/**
 * Against the emulator (its default limit: 25 WebSocket publish requests per second per
 * connection, like the service): one `publish()` of more events than 25 requests of five carry.
 * Before `publishRateLimit`, the client sent the requests back to back and the 26th was refused
 * with `LimitExceededError`, after 125 events were published, without saying which (found by a
 * review, 29 Nov 2026). HTTP publishing has no such limit per connection: the reference.
 */
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { createEventsClient, type EventsClient } from '../../src';
import { createHttpPublisher } from '../../src/http';
import { MAX_EVENTS_PER_PUBLISH, MAX_WS_PUBLISH_PER_SECOND } from '../../src/protocol/limits';
import { startEventApi, type EventApi } from '../../src/testing';

describe('one publish() of more events than 25 requests per second can carry', () => {
  let api: EventApi;
  const clients: EventsClient[] = [];
  beforeEach(async () => {
    api = await startEventApi();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await api.close();
  });

  // 26 requests of five: one more than the documented per-connection rate.
  const count = (MAX_WS_PUBLISH_PER_SECOND + 1) * MAX_EVENTS_PER_PUBLISH;
  const events = Array.from({ length: count }, (_, i) => ({ i }));

  it('over HTTP, succeeds for every event (the reference)', async () => {
    const result = await firstValueFrom(createHttpPublisher(api.clientConfig).publish('/default/bulk', events));
    expect(result).toEqual({ successful: events.map((_, i) => i), failed: [] });
  });

  it('over the WebSocket, succeeds for every event too: the 26th request waits for its turn', async () => {
    const client = createEventsClient({ ...api.clientConfig, lingerMs: 0 });
    clients.push(client);
    const received = lastValueFrom(client.subscribe<{ i: number }>('/default/bulk').pipe(take(count), toArray()));
    await firstValueFrom(client.subscribed$);
    const started = Date.now();
    const result = await firstValueFrom(client.publish('/default/bulk', events));
    expect(result).toEqual({ successful: events.map((_, i) => i), failed: [] });
    expect((await received).map((e) => e.i)).toEqual(events.map((_, i) => i));
    // The last request went a window (1,050 ms) after the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });
});
