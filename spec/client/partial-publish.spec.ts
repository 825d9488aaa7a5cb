/**
 * A publish of more than five events is sent as several requests; one that fails after some of its
 * requests were answered fails with a PartialPublishError carrying their results, so that a retry
 * does not publish those events twice. Over HTTP here (the WebSocket cases are in
 * publish.marble.spec.ts); a failure of the first request is the plain error, as for five events.
 */
import { firstValueFrom } from 'rxjs';
import { PartialPublishError, ServerError, apiKeyAuth, type FetchLike } from '../../src';
import { createHttpPublisher } from '../../src/http';

/** Answers the HTTP publish requests in turn: 200 with every event successful, or the status and errors given. */
function answering(...answers: (number | undefined)[]): { fetch: FetchLike; bodies: string[] } {
  const bodies: string[] = [];
  const fetch: FetchLike = async (_url, init) => {
    bodies.push(init.body);
    const status = answers[bodies.length - 1] ?? 200;
    const count = (JSON.parse(init.body) as { events: string[] }).events.length;
    const body =
      status === 200
        ? { successful: Array.from({ length: count }, (_, index) => ({ identifier: `e${index}`, index })), failed: [] }
        : { errors: [{ errorType: 'BadRequestException', message: 'refused' }] };
    return { status, text: async () => JSON.stringify(body) };
  };
  return { fetch, bodies };
}

const config = (fetch: FetchLike) => ({ httpEndpoint: 'http://127.0.0.1:1', auth: apiKeyAuth('da2-partialpartialpartialpart'), fetch });
const events = Array.from({ length: 12 }, (_, i) => i);

it('a failure after an answered request: PartialPublishError with the results so far and the failure as its cause; nothing more is sent', async () => {
  const { fetch, bodies } = answering(200, 400);
  const error = await firstValueFrom(createHttpPublisher(config(fetch)).publish('/default/a', events)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PartialPublishError);
  const partial = error as PartialPublishError;
  expect({ code: partial.code, name: partial.name, channel: partial.channel, result: partial.result }).toEqual({
    code: 'PUBLISH_PARTIAL',
    name: 'PartialPublishError',
    channel: '/default/a',
    result: { successful: [0, 1, 2, 3, 4], failed: [] },
  });
  expect(partial.cause).toBeInstanceOf(ServerError);
  expect(partial.cause).toMatchObject({ status: 400, errors: [{ errorType: 'BadRequestException', message: 'refused' }] });
  expect(partial.message).toBe('publish to /default/a failed partway (events published: 5): http-publish failed: BadRequestException: refused');
  expect(bodies).toHaveLength(2);
});

it('a failure of the first request is the plain error, as for a publish of five events', async () => {
  const { fetch } = answering(400);
  const error = await firstValueFrom(createHttpPublisher(config(fetch)).publish('/default/a', events)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ServerError);
  expect(error).not.toBeInstanceOf(PartialPublishError);
});

it('scrubs the reasons the service gave for refused events, as every error does: JSON.stringify(error) holds no credential', async () => {
  const key = 'da2-abcdefghijklmnopqrstuvwxyz';
  let calls = 0;
  const fetch: FetchLike = async () => {
    calls++;
    const body =
      calls === 1
        ? { successful: [0, 1, 2, 3].map((index) => ({ identifier: `e${index}`, index })), failed: [{ identifier: 'e4', index: 4, code: 'X', message: `refused x-api-key: ${key}` }] }
        : { errors: [{ errorType: 'BadRequestException', message: 'refused' }] };
    return { status: calls === 1 ? 200 : 400, text: async () => JSON.stringify(body) };
  };
  const error = (await firstValueFrom(createHttpPublisher(config(fetch)).publish('/default/a', events)).catch((e: unknown) => e)) as PartialPublishError;
  expect(error).toBeInstanceOf(PartialPublishError);
  expect(error.result.failed).toEqual([{ index: 4, identifier: 'e4', code: 'X', message: 'refused x-api-key: [redacted]' }]);
  expect(JSON.stringify(error)).not.toContain(key);
});
