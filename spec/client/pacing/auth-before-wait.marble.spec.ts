/**
 * publishRateLimit authorises a request when its turn comes, not before it waits. In the first
 * design (found by a review, 29 Nov 2026; this test failed on it), the authorization was obtained
 * before the wait and sent unchanged after it, possibly many seconds later (1,000 queued publishes
 * wait 42 s; 7,200, SigV4's five minutes): a short-lived token expired in line, and its one retry
 * went to the end of the line, where it could expire again.
 *
 * Here in virtual time: credentials valid 1,000 ms, limit 1 request per window, three publishes.
 */
import { TestScheduler } from 'rxjs/testing';
import type { AuthProvider } from '../../../src/auth/types';
import { createMarbleHarness, type Frame, type Recorded } from '../../helpers/fake-socket';
import { ok } from './helpers';

const VALID_MS = 1000;

describe('publishRateLimit: credentials obtained before the wait', () => {
  it('every publish succeeds when the provider always gives credentials valid for longer than a window', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    // A token that says when it was issued.
    const auth: AuthProvider = (request) => ({ host: request.host, authorization: `issued-${scheduler.now()}` });
    let outs: Recorded<unknown>[][] = [];
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1, auth });
      outs = [1, 2, 3].map((n) => h.record(h.client.publish('/default/a', [n])));
      // The server: answers every publish at once; refuses a token older than VALID_MS.
      const socket = h.socket(0);
      const send = socket.send.bind(socket);
      socket.send = (data: string): void => {
        send(data);
        const frame = JSON.parse(data) as Frame & { authorization: { authorization: string } };
        if (frame.type !== 'publish') return;
        const age = scheduler.now() - Number(frame.authorization.authorization.slice('issued-'.length));
        const reply: Frame = age > VALID_MS ? { type: 'publish_error', id: frame.id, errors: [{ errorType: 'UnauthorizedException', message: 'Token has expired.' }] } : ok(frame);
        scheduler.schedule(() => socket.receive(reply), 0);
      };
      h.at(10, () => h.accept(0));
      h.at(20_000, () => h.client.close());
    });
    for (const out of outs) expect(out).toEqual([expect.objectContaining({ next: { successful: [0], failed: [] } }), expect.objectContaining({ complete: true })]);
  });
});
