/**
 * The transport on its own, against the synchronous fake socket: opening (or adopting) a socket,
 * the greeting on open, decoded frames in, encoded messages out, and how the socket's end is
 * reported. The connection lifecycle on top of it is covered by spec/client/connection.marble.spec.ts.
 */
import { UnsupportedMessageFormatError } from '../../src/errors';
import { openTransport, type SocketClose } from '../../src/transport/websocket';
import { FakeWebSocket, fakeWebSockets } from '../helpers/fake-socket';

const URL = 'wss://example.test/event/realtime';
const GREETING = { type: 'connection_init' } as const;
const GREETING_TEXT = JSON.stringify(GREETING);

function record(transport: ReturnType<typeof openTransport>): { frames: unknown[]; errors: unknown[] } {
  const out = { frames: [] as unknown[], errors: [] as unknown[] };
  transport.frames$.subscribe({ next: (f) => out.frames.push(f), error: (e: unknown) => out.errors.push(e) });
  return out;
}

it('opens a socket with the constructor, url and protocols, and sends the greeting once it is open', () => {
  const fake = fakeWebSockets();
  const transport = openTransport(URL, ['a', 'b'], GREETING, fake.WebSocket);
  record(transport);
  const [socket] = fake.sockets;
  expect(fake.sockets).toHaveLength(1);
  expect(socket?.url).toBe(URL);
  expect(socket?.protocols).toEqual(['a', 'b']);
  expect(socket?.sentText).toEqual([]);
  expect(transport.isOpen).toBe(false);
  socket?.open();
  expect(socket?.sentText).toEqual([GREETING_TEXT]);
  expect(transport.isOpen).toBe(true);
});

it('adopts a given socket instead of opening one, and greets at once when it is already open', () => {
  const fake = fakeWebSockets();
  const socket = new FakeWebSocket(URL);
  socket.open();
  record(openTransport(URL, [], GREETING, fake.WebSocket, socket));
  expect(fake.sockets).toHaveLength(0);
  expect(socket.sentText).toEqual([GREETING_TEXT]);
});

it('throws what the WebSocket constructor throws', () => {
  const Broken = function () {
    throw new SyntaxError('bad url');
  } as unknown as typeof FakeWebSocket;
  expect(() => openTransport('nope', [], GREETING, Broken)).toThrow(SyntaxError);
});

it('emits each frame decoded, and the decode error of a frame that is not a message', () => {
  const socket = new FakeWebSocket(URL);
  const out = record(openTransport(URL, [], GREETING, undefined, socket));
  socket.open();
  socket.receive({ type: 'ka' });
  socket.receive('not json');
  expect(out.frames[0]).toEqual({ type: 'ka' });
  expect(out.frames[1]).toBeInstanceOf(UnsupportedMessageFormatError);
  expect(out.errors).toEqual([]);
});

it('sends messages JSON-encoded while open, and nothing (false) otherwise', () => {
  const socket = new FakeWebSocket(URL);
  const transport = openTransport(URL, [], GREETING, undefined, socket);
  record(transport);
  expect(transport.send({ type: 'unsubscribe', id: 'x' })).toBe(false);
  socket.open();
  expect(transport.send({ type: 'unsubscribe', id: 'x' })).toBe(true);
  expect(socket.sent).toEqual([{ type: 'connection_init' }, { type: 'unsubscribe', id: 'x' }]);
});

it('errors with the close code, reason and the platform detail when the socket ends by itself', () => {
  const failed = new FakeWebSocket(URL);
  const a = record(openTransport(URL, [], GREETING, undefined, failed));
  failed.fail('Unexpected server response: 401');
  expect(a.errors).toEqual<SocketClose[]>([{ code: 1006, reason: '', detail: 'Unexpected server response: 401' }]);

  const closed = new FakeWebSocket(URL);
  const b = record(openTransport(URL, [], GREETING, undefined, closed));
  closed.open();
  closed.serverClose(1001, 'going away');
  expect(b.errors).toEqual<SocketClose[]>([{ code: 1001, reason: 'going away', detail: 'going away' }]);
});

it('closes with 1000 and the reason, but not a socket that is already closed, and never throws', () => {
  const socket = new FakeWebSocket(URL);
  const transport = openTransport(URL, [], GREETING, undefined, socket);
  record(transport);
  socket.open();
  transport.close('idle');
  expect(socket.closeCalls).toEqual([{ code: 1000, reason: 'idle' }]);
  expect(transport.isOpen).toBe(false);
  transport.close('again');
  expect(socket.closeCalls).toHaveLength(1);

  const throwing = new FakeWebSocket(URL);
  throwing.close = () => {
    throw new Error('not yet open');
  };
  expect(() => openTransport(URL, [], GREETING, undefined, throwing).close('idle')).not.toThrow();
});

it('delivers nothing after unsubscribe (frames or the end)', () => {
  const socket = new FakeWebSocket(URL);
  const out = { frames: [] as unknown[], errors: [] as unknown[] };
  const subscription = openTransport(URL, [], GREETING, undefined, socket).frames$.subscribe({
    next: (f) => out.frames.push(f),
    error: (e: unknown) => out.errors.push(e),
  });
  socket.open();
  socket.receive({ type: 'ka' });
  subscription.unsubscribe();
  socket.receive({ type: 'ka' });
  socket.serverClose(1001, 'going away');
  expect(out).toEqual({ frames: [{ type: 'ka' }], errors: [] });
});
