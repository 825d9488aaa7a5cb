/**
 * Waiters give up on a terminal failure only while the connection is still `closed` when each is
 * told, and so do the operations waiting for their auth provider, a retry delay or their publish
 * turn: the watch in the OperationContext constructor used to read the status once, before its
 * loop, so one told after an earlier one's error handler started a new attempt still got the
 * stale error. (Found by a review, 29 Nov 2026; these failed before the fix.)
 */
import { Observable, Subject, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { AuthProvider } from '../../src/auth/types';
import type { Authorization } from '../../src/protocol/messages';
import { API_KEY, createMarbleHarness, type Recorded } from '../helpers/fake-socket';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

/** Connect: answered at once. An operation's first request: an answer the test gives later; then at once. */
function lateAuth(): { auth: AuthProvider; answers: Map<string, Subject<Authorization>> } {
  const answers = new Map<string, Subject<Authorization>>();
  const auth: AuthProvider = (request) => {
    const answer: Authorization = { host: request.host, 'x-api-key': API_KEY };
    if (request.kind === 'connect') return answer;
    const key = `${request.kind} ${request.channel}`;
    if (answers.has(key)) return answer;
    const late = new Subject<Authorization>();
    answers.set(key, late);
    return late.pipe(take(1)) as Observable<Authorization>;
  };
  return { auth, answers };
}

describe('a terminal failure while operations wait for their auth provider (_authorizing)', () => {
  it("a subscriber that an earlier authorizing operation's error handler adds to a channel still authorizing opens a new connection, and that channel's subscribers wait for it instead of getting the stale error", () => {
    scheduler.run(() => {
      const { auth, answers } = lateAuth();
      const h = createMarbleHarness(scheduler, { retry: false, auth });
      let joined: Recorded<unknown>[] | undefined;
      // /default/a asks its provider first, so it is failed first; its error handler joins /default/b.
      h.client.subscribe('/default/a').subscribe({ error: () => void (joined ??= h.record(h.client.subscribe('/default/b'))) });
      const b = h.record(h.client.subscribe('/default/b'));
      h.at(10, () => h.accept(0)); // both subscriptions now wait for their provider
      h.at(20, () => h.socket(0).serverClose(1006)); // lost, terminally (retry: false)
      h.at(30, () => {
        expect(h.sockets).toHaveLength(2); // the join opened a new connection
        expect([b, joined]).toEqual([[], []]); // ... which b's subscribers wait for
        h.accept(1);
        answers.get('subscribe /default/b')!.next({ host: 'x', 'x-api-key': API_KEY }); // the old answer: asked again on socket 1
        const subscribes = h.socket(1).sent.filter((f) => f.type === 'subscribe');
        expect(subscribes.map((f) => f.channel)).toEqual(['/default/b']);
        h.socket(1).receive({ type: 'data', id: subscribes[0]!.id, event: '2' });
        expect([b, joined]).toEqual([[{ at: 30, next: 2 }], [{ at: 30, next: 2 }]]);
        h.client.close();
      });
    });
  });

  it("a publish waiting for its provider is not failed with the stale error once an earlier authorizing operation's error handler started a new connection (it is sent there)", () => {
    scheduler.run(() => {
      const { auth, answers } = lateAuth();
      const h = createMarbleHarness(scheduler, { retry: false, auth });
      // /default/a asks first; its error handler subscribes to another channel: a new connection.
      h.client.subscribe('/default/a').subscribe({ error: () => void h.client.subscribe('/default/c').subscribe({ error: () => undefined }) });
      let out: Recorded<unknown>[] = [];
      h.at(10, () => {
        h.accept(0);
        out = h.record(h.client.publish('/default/p', [1])); // waits for its provider, after /default/a
      });
      h.at(20, () => h.socket(0).serverClose(1006));
      h.at(30, () => {
        expect(h.sockets).toHaveLength(2);
        expect(out).toEqual([]); // not failed: a new attempt is on its way
        h.accept(1);
        answers.get('publish /default/p')!.next({ host: 'x', 'x-api-key': API_KEY });
        const frame = h.socket(1).sent.find((f) => f.type === 'publish');
        expect(frame?.channel).toBe('/default/p');
        h.socket(1).receive({ type: 'publish_success', id: frame?.id, successful: [{ identifier: 'e', index: 0 }], failed: [] });
        expect(out).toEqual([{ at: 30, next: { successful: [0], failed: [] } }, { at: 30, complete: true }]);
        h.client.close();
      });
    });
  });
});
