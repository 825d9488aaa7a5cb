import { AppSyncEventsError, ErrorCode, ValidationError } from '../../src/errors';
import { resolveEndpoints, type ResolvedEndpoints } from '../../src/protocol/endpoints';

const AWS_ID = 'abcdefghijklmnopqrstuvwxyz';
const AWS_HTTP = `${AWS_ID}.appsync-api.eu-west-1.amazonaws.com`;
const AWS_RT = `${AWS_ID}.appsync-realtime-api.eu-west-1.amazonaws.com`;
const CN_HTTP = `${AWS_ID}.appsync-api.cn-north-1.amazonaws.com.cn`;
const CN_RT = `${AWS_ID}.appsync-realtime-api.cn-north-1.amazonaws.com.cn`;

function expectInvalidConfig(fn: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  const error = thrown as ValidationError;
  expect(error.reason).toBe('INVALID_CONFIG');
  expect(error.code).toBe(ErrorCode.Validation);
  expect(AppSyncEventsError.is(error, ErrorCode.Validation)).toBe(true);
  expect(error.message).toMatch(message);
}

describe('resolveEndpoints', () => {
  describe('AWS hosts: appsync-api → appsync-realtime-api (protocol reference §1.1)', () => {
    it.each<[string, string, ResolvedEndpoints]>([
      ['bare host', AWS_HTTP, { httpUrl: `https://${AWS_HTTP}/event`, realtimeUrl: `wss://${AWS_RT}/event/realtime`, host: AWS_HTTP }],
      ['https URL', `https://${AWS_HTTP}`, { httpUrl: `https://${AWS_HTTP}/event`, realtimeUrl: `wss://${AWS_RT}/event/realtime`, host: AWS_HTTP }],
      ['https URL with trailing slash', `https://${AWS_HTTP}/`, { httpUrl: `https://${AWS_HTTP}/event`, realtimeUrl: `wss://${AWS_RT}/event/realtime`, host: AWS_HTTP }],
      ['https URL with /event', `https://${AWS_HTTP}/event`, { httpUrl: `https://${AWS_HTTP}/event`, realtimeUrl: `wss://${AWS_RT}/event/realtime`, host: AWS_HTTP }],
      ['https URL with /event/', `https://${AWS_HTTP}/event/`, { httpUrl: `https://${AWS_HTTP}/event`, realtimeUrl: `wss://${AWS_RT}/event/realtime`, host: AWS_HTTP }],
      ['bare host with /event', `${AWS_HTTP}/event`, { httpUrl: `https://${AWS_HTTP}/event`, realtimeUrl: `wss://${AWS_RT}/event/realtime`, host: AWS_HTTP }],
      ['explicit default port is dropped', `https://${AWS_HTTP}:443/event`, { httpUrl: `https://${AWS_HTTP}/event`, realtimeUrl: `wss://${AWS_RT}/event/realtime`, host: AWS_HTTP }],
      ['surrounding whitespace', `  https://${AWS_HTTP}/event \n`, { httpUrl: `https://${AWS_HTTP}/event`, realtimeUrl: `wss://${AWS_RT}/event/realtime`, host: AWS_HTTP }],
      ['upper-case host is normalised', AWS_HTTP.toUpperCase(), { httpUrl: `https://${AWS_HTTP}/event`, realtimeUrl: `wss://${AWS_RT}/event/realtime`, host: AWS_HTTP }],
      ['China region (.amazonaws.com.cn)', CN_HTTP, { httpUrl: `https://${CN_HTTP}/event`, realtimeUrl: `wss://${CN_RT}/event/realtime`, host: CN_HTTP }],
      ['China region URL', `https://${CN_HTTP}/event`, { httpUrl: `https://${CN_HTTP}/event`, realtimeUrl: `wss://${CN_RT}/event/realtime`, host: CN_HTTP }],
    ])('%s', (_label, input, expected) => {
      expect(resolveEndpoints(input)).toEqual(expected);
    });

    it('the host of the authorization object is always the HTTP host, never the realtime host', () => {
      const e = resolveEndpoints(AWS_HTTP);
      expect(e.host).toBe(AWS_HTTP);
      expect(e.host).not.toContain('realtime');
    });

    it.each([AWS_RT, `https://${AWS_RT}/event`, `https://${CN_RT}`])(
      'refuses the realtime host given as httpEndpoint (%s): its host would be wrong in every authorization object',
      (input) => {
        expectInvalidConfig(() => resolveEndpoints(input), /appsync-api/);
      },
    );
  });

  describe('custom domains and other hosts serve both paths', () => {
    it.each<[string, string, ResolvedEndpoints]>([
      ['custom domain', 'api.example.com', { httpUrl: 'https://api.example.com/event', realtimeUrl: 'wss://api.example.com/event/realtime', host: 'api.example.com' }],
      ['custom domain URL', 'https://api.example.com/event', { httpUrl: 'https://api.example.com/event', realtimeUrl: 'wss://api.example.com/event/realtime', host: 'api.example.com' }],
      ['custom domain with port', 'https://api.example.com:8443', { httpUrl: 'https://api.example.com:8443/event', realtimeUrl: 'wss://api.example.com:8443/event/realtime', host: 'api.example.com:8443' }],
      // A domain that merely contains "appsync-api" is not an AWS host.
      [
        'lookalike domain',
        'x.appsync-api.eu-west-1.amazonaws.com.example.com',
        {
          httpUrl: 'https://x.appsync-api.eu-west-1.amazonaws.com.example.com/event',
          realtimeUrl: 'wss://x.appsync-api.eu-west-1.amazonaws.com.example.com/event/realtime',
          host: 'x.appsync-api.eu-west-1.amazonaws.com.example.com',
        },
      ],
    ])('%s', (_label, input, expected) => {
      expect(resolveEndpoints(input)).toEqual(expected);
    });
  });

  describe('explicit realtimeEndpoint', () => {
    it.each<[string, string, string]>([
      ['wss host URL', `wss://${AWS_RT}`, `wss://${AWS_RT}/event/realtime`],
      ['wss URL with /event/realtime', `wss://${AWS_RT}/event/realtime`, `wss://${AWS_RT}/event/realtime`],
      ['bare host', AWS_RT, `wss://${AWS_RT}/event/realtime`],
      ['https URL becomes wss', `https://rt.example.com/event`, 'wss://rt.example.com/event/realtime'],
      ['ws loopback', 'ws://localhost:9000', 'ws://localhost:9000/event/realtime'],
    ])('%s', (_label, realtime, realtimeUrl) => {
      expect(resolveEndpoints(AWS_HTTP, realtime)).toEqual({ httpUrl: `https://${AWS_HTTP}/event`, realtimeUrl, host: AWS_HTTP });
    });

    it('an empty realtimeEndpoint means "derive it"', () => {
      expect(resolveEndpoints(AWS_HTTP, '').realtimeUrl).toBe(`wss://${AWS_RT}/event/realtime`);
    });

    it('host stays the HTTP host when the realtime host differs', () => {
      expect(resolveEndpoints('api.example.com', 'wss://rt.example.com').host).toBe('api.example.com');
    });
  });

  describe('plain http/ws', () => {
    it.each<[string, string, string, string]>([
      ['localhost', 'http://localhost:8080', 'http://localhost:8080/event', 'ws://localhost:8080/event/realtime'],
      ['localhost without port', 'http://localhost', 'http://localhost/event', 'ws://localhost/event/realtime'],
      ['127.0.0.1', 'http://127.0.0.1:8080/event', 'http://127.0.0.1:8080/event', 'ws://127.0.0.1:8080/event/realtime'],
      ['127.1.2.3', 'http://127.1.2.3:1', 'http://127.1.2.3:1/event', 'ws://127.1.2.3:1/event/realtime'],
      ['[::1]', 'http://[::1]:8080', 'http://[::1]:8080/event', 'ws://[::1]:8080/event/realtime'],
      ['LOCALHOST', 'http://LOCALHOST:8080', 'http://localhost:8080/event', 'ws://localhost:8080/event/realtime'],
    ])('are allowed for loopback (%s)', (_label, input, httpUrl, realtimeUrl) => {
      expect(resolveEndpoints(input)).toMatchObject({ httpUrl, realtimeUrl });
    });

    it('ws:// loopback realtime endpoint next to an https endpoint', () => {
      expect(resolveEndpoints('https://api.example.com', 'ws://127.0.0.1:4000').realtimeUrl).toBe('ws://127.0.0.1:4000/event/realtime');
    });

    it.each([
      'http://api.example.com',
      `http://${AWS_HTTP}/event`,
      'http://192.168.1.10:8080',
      'http://10.0.0.1',
      'http://0.0.0.0:8080',
      'http://localhost.example.com',
      'http://127.0.0.1.nip.io',
      'http://[::2]:8080',
    ])('are refused for non-loopback %s', (input) => {
      expectInvalidConfig(() => resolveEndpoints(input), /must use TLS for a non-loopback host \(or allowInsecure: true\), got http:/);
    });

    it('ws:// realtime endpoint to a non-loopback host is refused', () => {
      expectInvalidConfig(() => resolveEndpoints(AWS_HTTP, 'ws://rt.example.com'), /realtimeEndpoint must use TLS .*, got ws:/);
    });

    it('are allowed anywhere with allowInsecure', () => {
      expect(resolveEndpoints('http://192.168.1.10:8080', 'ws://192.168.1.11:8081', true)).toEqual({
        httpUrl: 'http://192.168.1.10:8080/event',
        realtimeUrl: 'ws://192.168.1.11:8081/event/realtime',
        host: '192.168.1.10:8080',
      });
      expect(resolveEndpoints('http://api.example.com', undefined, true).realtimeUrl).toBe('ws://api.example.com/event/realtime');
    });
  });

  describe('invalid configuration → ValidationError INVALID_CONFIG', () => {
    it.each<[string, unknown, RegExp]>([
      ['empty', '', /not a valid host or URL/],
      ['whitespace', '   ', /not a valid host or URL/],
      ['undefined', undefined, /not a valid host or URL: undefined/],
      ['number', 42, /not a valid host or URL: 42/],
      ['wss scheme for the HTTP endpoint', `wss://${AWS_HTTP}`, /must use https: or http:, got wss:/],
      ['ftp scheme', 'ftp://api.example.com', /must use https: or http:, got ftp:/],
      ['file scheme', 'file:///event', /must use/],
      ['GraphQL path', `https://${AWS_HTTP}/graphql`, /path must be empty, \/event or \/event\/realtime, got \/graphql/],
      ['GraphQL realtime path', `https://${AWS_HTTP}/graphql/realtime`, /path must be/],
      ['path below /event', `https://${AWS_HTTP}/event/x`, /path must be/],
      ['other path', 'https://api.example.com/api/event', /path must be/],
      ['double slash path', 'https://api.example.com//event', /path must be/],
      ['unparseable URL', 'https://', /not a valid host or URL/],
      ['space in host', 'api example.com', /not a valid host or URL/],
    ])('httpEndpoint: %s', (_label, input, message) => {
      expectInvalidConfig(() => resolveEndpoints(input as string), message);
    });

    it.each<[string, string, RegExp]>([
      ['ftp scheme', 'ftp://rt.example.com', /realtimeEndpoint must use wss: or ws: or https: or http:, got ftp:/],
      ['bad path', 'wss://rt.example.com/graphql/realtime', /realtimeEndpoint path must be/],
      ['unparseable', 'wss://', /realtimeEndpoint is not a valid host or URL/],
      ['whitespace only', '  ', /realtimeEndpoint is not a valid host or URL/],
    ])('realtimeEndpoint: %s', (_label, input, message) => {
      expectInvalidConfig(() => resolveEndpoints(AWS_HTTP, input), message);
    });
  });
});

describe('URL parts that would be dropped', () => {
  it.each([
    ['a user name and password', 'https://user:SECRET@example.com/event'],
    ['a query', 'https://example.com/event?x-api-key=da2-SECRET'],
    ['a fragment', 'https://example.com/event#SECRET'],
  ])('refuses %s, without repeating it', (_what, url) => {
    const error = (() => {
      try {
        resolveEndpoints(url);
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error('accepted');
    })();
    expect(error).toMatchObject({ reason: 'INVALID_CONFIG', message: 'httpEndpoint must not contain a user name, password, query or fragment' });
  });

  it.each([
    ['https://user:SECRET@exa mple.com/event', '…@exa mple.com/event'],
    ['user:SECRET@exa mple.com/event', '…@exa mple.com/event'],
    ['https://exa mple.com/event?api_key=da2-SECRET', 'https://exa mple.com/event…'],
    ['https://exa mple.com/event#token=SECRET', 'https://exa mple.com/event…'],
  ])('does not repeat what could be credentials when %s cannot be parsed', (url, quoted) => {
    expect(() => resolveEndpoints(url)).toThrow(`httpEndpoint is not a valid host or URL: ${quoted}`);
  });
});
