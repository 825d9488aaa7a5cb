/**
 * createMockEventsClient vs the real client (fake socket, virtual time): each test runs one scenario
 * on both; the real client's log is the reference and the mock must match it. (Found by a review,
 * 29 Nov 2026; each failed on the mock before its fix.) Documented differences that remain: the mock
 * does not pace publishes, emits no frames on messages$, and completes a channel's subscribers in
 * the order they subscribed.
 */
import { from, NEVER } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ConnectionError, type ConnectionState, type EventsClient, type PublishResult } from '../../src';
import { createMockEventsClient, type MockEventsClientOptions } from '../../src/testing';
import { createMarbleHarness, FakeWebSocket } from '../helpers/fake-socket';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** An error as `[class, operation or reason]`. */
function describeError(error: unknown): unknown[] {
  const e = error as { constructor: { name: string }; operation?: string; reason?: string };
  return [e.constructor.name, e.operation ?? e.reason];
}

function recorder(log: unknown[], s: TestScheduler, name: string) {
  return {
    next: (value: unknown) => log.push([s.now(), name, value]),
    error: (error: unknown) => log.push([s.now(), name, 'error', ...describeError(error)]),
    complete: () => log.push([s.now(), name, 'complete']),
  };
}

describe('close() while a publish is in flight', () => {
  // The code under test publishes at 0 and closes the client at 1 (e.g. a shutdown); the reply
  // would come at 3. Real client: the publish fails (its outcome is unknown). Mock: the chosen
  // result, still arriving at 3, is emitted as if nothing had happened.
  function scenario(client: EventsClient, s: TestScheduler): unknown[] {
    const log: unknown[] = [];
    client.publish('/default/a', [1]).subscribe(recorder(log, s, 'publish'));
    s.schedule(() => client.close(), 1);
    return log;
  }

  it('fails the publish like the real client instead of delivering its result after close()', () => {
    const result: PublishResult = { successful: [0], failed: [] };
    let real!: unknown[];
    const rs = newScheduler();
    rs.run(() => {
      const h = createMarbleHarness(rs);
      real = scenario(h.client, rs);
      h.accept(0);
      h.at(3, () => {
        const frame = h.socket(0).sent.find((f) => f.type === 'publish');
        if (frame && h.socket(0).readyState === FakeWebSocket.OPEN) h.socket(0).receive({ type: 'publish_success', id: frame.id, successful: [{ identifier: 'x', index: 0 }], failed: [] });
      });
    });
    let mock!: unknown[];
    const ms = newScheduler();
    ms.run(({ cold }) => {
      const client = createMockEventsClient({ publish: () => cold('---(r|)', { r: result }) });
      mock = scenario(client, ms);
    });
    expect(real).toEqual([[1, 'publish', 'error', 'PublishOutcomeUnknownError', undefined]]);
    expect(mock).toEqual(real);
  });

  it('fails a publish still waiting for its (timeoutMs) result at close(), instead of timing it out later', () => {
    // Same, with a result that never comes and a timeoutMs of 10: the real client fails at 1 (the
    // close); the mock keeps the timer running and fails at 10 with TimeoutError.
    let real!: unknown[];
    const rs = newScheduler();
    rs.run(() => {
      const h = createMarbleHarness(rs);
      real = [];
      h.client.publish('/default/a', [1], { timeoutMs: 10 }).subscribe(recorder(real, rs, 'publish'));
      h.accept(0);
      rs.schedule(() => h.client.close(), 1);
    });
    let mock!: unknown[];
    const ms = newScheduler();
    ms.run(() => {
      const client = createMockEventsClient({ publish: () => NEVER });
      mock = [];
      client.publish('/default/a', [1], { timeoutMs: 10 }).subscribe(recorder(mock, ms, 'publish'));
      ms.schedule(() => client.close(), 1);
    });
    expect(real).toEqual([[1, 'publish', 'error', 'PublishOutcomeUnknownError', undefined]]);
    expect(mock).toEqual(real);
  });
});

describe('publish without timeoutMs', () => {
  it("times out after the client's default requestTimeoutMs (15 s), like the real client", () => {
    // The recipe's "drain waits for the last publish, up to requestTimeoutMs": a publish whose reply
    // never comes fails with TimeoutError at 15 s. The mock waits for ever.
    let real!: unknown[];
    const rs = newScheduler();
    rs.run(() => {
      const h = createMarbleHarness(rs);
      real = [];
      h.client.publish('/default/a', [1]).subscribe(recorder(real, rs, 'publish'));
      h.accept(0);
      h.at(20_000, () => h.client.close());
    });
    let mock!: unknown[];
    const ms = newScheduler();
    ms.run(() => {
      const client = createMockEventsClient({ publish: () => NEVER });
      mock = [];
      client.publish('/default/a', [1]).subscribe(recorder(mock, ms, 'publish'));
      ms.schedule(() => client.close(), 20_000);
    });
    expect(real).toEqual([[15_000, 'publish', 'error', 'TimeoutError', 'publish']]);
    expect(mock).toEqual(real);
  });
});

describe('publish on a closed client with an invalid timeoutMs', () => {
  it('fails with ConnectionClosedError like the real client (the real client checks timeoutMs after the closed state)', () => {
    const run = (client: EventsClient, s: TestScheduler): unknown[] => {
      const log: unknown[] = [];
      client.close();
      client.publish('/default/a', [1], { timeoutMs: -1 }).subscribe(recorder(log, s, 'publish'));
      client.publish('/default/a', [1], { timeoutMs: Infinity }).subscribe(recorder(log, s, 'publish'));
      return log;
    };
    let real!: unknown[];
    const rs = newScheduler();
    rs.run(() => {
      real = run(createMarbleHarness(rs).client, rs);
    });
    let mock!: unknown[];
    const ms = newScheduler();
    ms.run(() => {
      mock = run(createMockEventsClient(), ms);
    });
    expect(real).toEqual([
      [0, 'publish', 'error', 'ConnectionClosedError', 'publish'],
      [0, 'publish', 'error', 'ConnectionClosedError', 'publish'],
    ]);
    expect(mock).toEqual(real);
  });
});

describe('connect() and the given connectionState', () => {
  it('rejects when the connection fails for good (connectionState$ ends closed with an error), like the real client', async () => {
    // Real client: no retry, the socket fails: connectionState$ goes to closed with the error and
    // connect() rejects. Mock given that very state sequence: connect() resolves `connected`.
    const outcome = (p: Promise<unknown>): Promise<unknown[]> => p.then((v) => ['resolved', v], (e: unknown) => ['rejected', (e as Error).constructor.name]);
    let realStates: string[] = [];
    let realConnect!: Promise<unknown[]>;
    const rs = newScheduler();
    rs.run(() => {
      const h = createMarbleHarness(rs, { retry: false });
      realStates = [];
      h.client.connectionState$.subscribe((state) => realStates.push(state.status));
      realConnect = outcome(h.client.connect());
      h.at(1, () => h.socket(0).fail('ECONNREFUSED'));
    });
    expect(realStates).toEqual(['idle', 'connecting', 'closed']);
    expect(await realConnect).toEqual(['rejected', 'ConnectionError']);

    const failed: ConnectionState = { status: 'closed', error: new ConnectionError('ECONNREFUSED') } as ConnectionState;
    const options: MockEventsClientOptions = { connectionState: from<ConnectionState[]>([{ status: 'idle' }, { status: 'connecting', attempt: 1 } as ConnectionState, failed]) };
    const mock = createMockEventsClient(options);
    const mockStates: string[] = [];
    mock.connectionState$.subscribe((state) => mockStates.push(state.status));
    const mockConnect = await outcome(mock.connect());
    expect(mockStates).toEqual(realStates);
    expect(mockConnect).toEqual(['rejected', 'ConnectionError']);
  });
});
