/**
 * Real time against the emulator (limit 25 = the client's default): the client counts a request
 * when it writes the frame; the emulator (like the service) counts it when it arrives. An
 * application that keeps the event loop busy for 100 ms right after a burst makes the next,
 * correctly paced burst arrive less than a second after the first, beyond the 5% margin: the
 * emulator refuses some with LimitExceededError. The client sends those again, first in line, a
 * window later, so every publish succeeds. (Found by a review, 29 Nov 2026: they used to fail with
 * that error.)
 */
import { firstValueFrom } from 'rxjs';
import { createEventsClient, type EventsClient } from '../../src';
import { startEventApi, type EventApi } from '../../src/testing';

jest.setTimeout(30_000);

describe('pacing4: real time, a busy event loop after a burst', () => {
  let api: EventApi;
  let client: EventsClient | undefined;
  beforeEach(async () => {
    api = await startEventApi({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    client?.close();
    await api.close();
  });

  it('50 single-event publishes, the loop busy for 100 ms after the first burst: every request accepted', async () => {
    client = createEventsClient({ ...api.clientConfig, lingerMs: 0 });
    const c = client;
    await c.connect();
    const all = Array.from({ length: 50 }, (_, i) =>
      firstValueFrom(c.publish('/default/a', [{ i }])).then(
        (r) => r.successful.length,
        (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`,
      ),
    );
    const until = Date.now() + 100;
    while (Date.now() < until) {
      // busy: the 25 frames written above are read by the emulator only afterwards
    }
    const results = await Promise.all(all);
    expect(results).toEqual(all.map(() => 1));
  });
});
