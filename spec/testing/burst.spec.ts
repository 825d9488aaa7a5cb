import { filter, firstValueFrom } from 'rxjs';
import { ValidationError } from '../../src/errors';
import { encodeTextFrames } from '../../src/testing/frames';
import { emulatorFixture, keyAuth, subscribe } from './fixture';

const fx = emulatorFixture();

describe('encodeTextFrames', () => {
  it('writes unmasked final text frames with 7-bit, 16-bit and 64-bit lengths', () => {
    const [small] = encodeTextFrames(['{"type":"ka"}']);
    expect([...(small as Buffer)]).toEqual([0x81, 13, ...Buffer.from('{"type":"ka"}')]);

    const medium = 'x'.repeat(126);
    const [m] = encodeTextFrames([medium]);
    expect([...(m as Buffer).subarray(0, 4)]).toEqual([0x81, 126, 0, 126]);
    expect((m as Buffer).subarray(4).toString()).toBe(medium);

    const large = 'y'.repeat(65536);
    const [l] = encodeTextFrames([large]);
    expect([...(l as Buffer).subarray(0, 10)]).toEqual([0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect((l as Buffer).length).toBe(10 + 65536);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const [b] = encodeTextFrames(['é€😀']);
    expect((b as Buffer)[1]).toBe(2 + 3 + 4);
    expect((b as Buffer).subarray(2).toString('utf8')).toBe('é€😀');
  });

  it('packs whole frames into chunks of about the given size, in order', () => {
    const texts = Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(40, '.'));
    const chunks = encodeTextFrames(texts, 100);
    expect(chunks.map((c) => c.length)).toEqual([84, 84, 84, 84, 84]);
    expect(Buffer.concat(chunks).toString('latin1').replace(/\x81\x28/g, '|')).toBe(`|${texts.join('|')}`);
    expect(encodeTextFrames([])).toEqual([]);
  });
});

describe('EventApi.burst', () => {
  it('delivers pre-encoded frames to one connection, in order, counted but not recorded in traffic$', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    const other = await fx.ready(api);
    const inbound = firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'in' && t.type === 'subscribe')));
    await subscribe(client, '/default/load', keyAuth(api), 'sub-1');
    const { connectionId } = await inbound;
    const outTypes: string[] = [];
    const sub = api.traffic$.subscribe((t) => t.direction === 'out' && outTypes.push(t.type));

    const frames = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ type: 'data', id: 'sub-1', event: JSON.stringify({ i, text: 'é'.repeat(i % 70) }) }));
    const burst = api.burst(connectionId, frames);
    expect(burst.frames).toBe(2000);
    expect(burst.bytes).toBeGreaterThan(frames.reduce((n, f) => n + Buffer.byteLength(f), 0));
    await burst.send();
    const last = await client.next((f) => f.type === 'data' && f.event === JSON.parse(frames[1999] as string).event);
    expect(last.id).toBe('sub-1');
    const data = client.frames.filter((f) => f.type === 'data');
    expect(data.map((f) => f.raw)).toEqual(frames);
    expect(other.frames.some((f) => f.type === 'data')).toBe(false);
    expect(api.stats().sent['raw']).toBe(2000);
    expect(outTypes).toEqual([]);
    sub.unsubscribe();

    // The socket still speaks the protocol normally afterwards.
    expect((await subscribe(client, '/default/after', keyAuth(api), 'sub-2')).type).toBe('subscribe_success');
  });

  it('throws a ValidationError for an unknown connection, and send() rejects once the connection is gone', async () => {
    const api = await fx.start();
    expect(() => api.burst('c999', ['{}'])).toThrow(ValidationError);
    const client = await fx.ready(api);
    const [id] = api.connectionIds();
    const burst = api.burst(id as string, ['{"type":"ka"}']);
    api.faults.dropConnections();
    await client.closed;
    await expect(burst.send()).rejects.toThrow(/not open/);
  });
});
