/**
 * Real time, against the emulator with the client's limit equal to the emulator's (25). The client
 * counts a request when it sends it (25 in any 1,050 ms); the emulator counts it when its
 * per-connection queue reaches it (src/testing/connection.ts `rateLimited`, after every earlier
 * frame's processing and the request's own `await authorize`), not when it arrived. A frame that
 * takes long to process (here a subscribe whose `onSubscribe` handler takes 300 ms) holds the
 * first burst back, so the emulator sees the next burst, paced correctly by the client, less than
 * a second after it, and refuses it with LimitExceededError.
 * (Found by a review, 29 Nov 2026; it failed before the fix.)
 */
import { firstValueFrom } from 'rxjs';
import { createEventsClient, type EventsClient } from '../../src';
import { startEventApi, type EventApi } from '../../src/testing';

jest.setTimeout(20_000);

describe('publishRateLimit agrees with the emulator', () => {
  let api: EventApi;
  let client: EventsClient | undefined;
  beforeEach(async () => {
    api = await startEventApi({
      host: '127.0.0.1',
      port: 0,
      namespaces: ['default', { name: 'slow', onSubscribe: () => new Promise<void>((resolve) => setTimeout(resolve, 300)) }],
    });
  });
  afterEach(async () => {
    client?.close();
    await api.close();
  });

  it('a publish of 30 requests made with a subscription whose handler is slow: every request is accepted', async () => {
    client = createEventsClient({ ...api.clientConfig, lingerMs: 0 });
    const subscribed = firstValueFrom(client.subscribed$);
    client.subscribe('/slow/room').subscribe({ error: () => undefined });
    // 30 requests of five: 25 go right after the subscribe frame, 5 a window later.
    const events = Array.from({ length: 150 }, (_, i) => ({ i }));
    const outcome = await firstValueFrom(client.publish('/default/a', events)).then(
      (result) => result.successful.length,
      (error: unknown) => String(error),
    );
    await subscribed;
    expect(outcome).toBe(150);
  });
});
