import { base64UrlDecode, base64UrlEncode, connectionSubprotocols, encodeHeaderSubprotocol } from '../../src/auth/header';

// Protocol reference §1.2, worked example.
const EXAMPLE_AUTH = { host: 'abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-1.amazonaws.com', 'x-api-key': 'da2-exampleexampleexample00' };
const EXAMPLE_JSON =
  '{"host":"abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-1.amazonaws.com","x-api-key":"da2-exampleexampleexample00"}';
const EXAMPLE_SUBPROTOCOL =
  'header-eyJob3N0IjoiYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXouYXBwc3luYy1hcGkuZXUtd2VzdC0xLmFtYXpvbmF3cy5jb20iLCJ4LWFwaS1rZXkiOiJkYTItZXhhbXBsZWV4YW1wbGVleGFtcGxlMDAifQ';

// RFC 7230 token characters: what a subprotocol name may contain.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

describe('encodeHeaderSubprotocol', () => {
  it('reproduces the worked example of protocol reference §1.2 exactly', () => {
    expect(JSON.stringify(EXAMPLE_AUTH)).toBe(EXAMPLE_JSON);
    expect(encodeHeaderSubprotocol(EXAMPLE_AUTH)).toBe(EXAMPLE_SUBPROTOCOL);
  });

  it('drops the "==" padding that standard Base64 has for the example', () => {
    expect(Buffer.from(EXAMPLE_JSON, 'utf8').toString('base64').endsWith('==')).toBe(true);
    expect(encodeHeaderSubprotocol(EXAMPLE_AUTH)).not.toContain('=');
  });

  it('round-trips to the same auth object', () => {
    const token = encodeHeaderSubprotocol(EXAMPLE_AUTH).slice('header-'.length);
    expect(JSON.parse(base64UrlDecode(token))).toEqual(EXAMPLE_AUTH);
  });

  it.each<[string, Record<string, string>]>([
    ['Lambda token with non-Latin-1 text', { host: 'api.example.com', Authorization: 'Bearer 令牌-ü-😀' }],
    ['Cognito JWT', { host: 'api.example.com', Authorization: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl' }],
    [
      'IAM headers',
      {
        host: 'api.example.com',
        accept: 'application/json, text/javascript',
        'content-encoding': 'amz-1.0',
        'content-type': 'application/json; charset=UTF-8',
        'x-amz-date': '20250101T000000Z',
        'x-amz-security-token': 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+/=',
        Authorization: 'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20250101/eu-west-1/appsync/aws4_request, SignedHeaders=host, Signature=abc',
      },
    ],
  ])('encodes %s as a valid subprotocol token that matches Node’s base64url', (_label, auth) => {
    const subprotocol = encodeHeaderSubprotocol(auth);
    expect(subprotocol).toBe(`header-${Buffer.from(JSON.stringify(auth), 'utf8').toString('base64url')}`);
    expect(subprotocol).toMatch(TOKEN);
    expect(JSON.parse(base64UrlDecode(subprotocol.slice(7)))).toEqual(auth);
  });

  it('leaves out keys whose value is undefined', () => {
    expect(encodeHeaderSubprotocol({ host: 'h', 'x-api-key': undefined })).toBe(`header-${base64UrlEncode('{"host":"h"}')}`);
  });
});

describe('connectionSubprotocols', () => {
  it('offers aws-appsync-event-ws and the header token, in that order', () => {
    expect(connectionSubprotocols(EXAMPLE_AUTH)).toEqual(['aws-appsync-event-ws', EXAMPLE_SUBPROTOCOL]);
  });
});

describe('base64UrlEncode', () => {
  it.each<[string, string, string]>([
    ['empty', '', ''],
    ['{}', '{}', 'e30'],
    ['1 byte (2 padding chars dropped)', 'a', 'YQ'],
    ['2 bytes (1 padding char dropped)', 'ab', 'YWI'],
    ['3 bytes (no padding)', 'abc', 'YWJj'],
    ['"+" in standard Base64 becomes "-"', '>>>', 'Pj4-'],
    ['"/" in standard Base64 becomes "_"', '???', 'Pz8_'],
    ['é (2 UTF-8 bytes)', 'é', 'w6k'],
    ['€ (3 UTF-8 bytes)', '€', '4oKs'],
    ['😀 (surrogate pair, 4 UTF-8 bytes)', '😀', '8J-YgA'],
    ['CJK', '中文', '5Lit5paH'],
  ])('%s', (_label, text, expected) => {
    expect(base64UrlEncode(text)).toBe(expected);
    expect(base64UrlEncode(text)).toBe(Buffer.from(text, 'utf8').toString('base64url'));
  });

  it('does not throw on text outside Latin-1, unlike btoa', () => {
    expect(() => btoa('€')).toThrow();
    expect(() => base64UrlEncode('€')).not.toThrow();
  });

  it('encodes a lone surrogate as U+FFFD, like TextEncoder and Buffer', () => {
    expect(base64UrlEncode('a\ud800b')).toBe(Buffer.from('a\ufffdb', 'utf8').toString('base64url'));
    expect(base64UrlEncode('\udc00')).toBe(Buffer.from('\udc00', 'utf8').toString('base64url'));
  });

  it('matches Buffer for every length 0..64 and for inputs longer than its 32 KiB chunk', () => {
    const sample = 'aé€😀中>?~';
    for (let n = 0; n <= 64; n++) {
      const text = sample.repeat(8).slice(0, n);
      expect(base64UrlEncode(text)).toBe(Buffer.from(text, 'utf8').toString('base64url'));
    }
    const big = 'x€😀'.repeat(20_000); // 160,000 UTF-8 bytes: several 0x8000-byte chunks
    expect(base64UrlEncode(big)).toBe(Buffer.from(big, 'utf8').toString('base64url'));
  });

  it('only ever produces the URL-safe alphabet', () => {
    const bytes = Array.from({ length: 0x7ff }, (_, i) => String.fromCharCode(i + 1)).join('');
    expect(base64UrlEncode(bytes)).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('base64UrlDecode', () => {
  it.each<[string, string, string]>([
    ['empty', '', ''],
    ['unpadded', 'e30', '{}'],
    ['padded', 'e30=', '{}'],
    ['1 byte unpadded', 'YQ', 'a'],
    ['1 byte padded', 'YQ==', 'a'],
    ['1 byte partly padded', 'YQ=', 'a'],
    ['URL-safe alphabet', 'Pj4-Pz8_', '>>>???'],
    ['standard alphabet', 'Pj4+Pz8/', '>>>???'],
    ['multi-byte UTF-8', '8J-YgOS4reaWhw', '😀中文'],
    ['the worked example, padded as in the docs', `${EXAMPLE_SUBPROTOCOL.slice(7)}==`, EXAMPLE_JSON],
  ])('%s', (_label, encoded, expected) => {
    expect(base64UrlDecode(encoded)).toBe(expected);
  });

  it('round-trips arbitrary well-formed Unicode', () => {
    for (const text of ['', 'plain', 'ü', '中文', '😀👍🏽', '\u0000\u007f\u0080\u07ff\u0800\uffff', '\u{10ffff}']) {
      expect(base64UrlDecode(base64UrlEncode(text))).toBe(text);
    }
  });

  it.each<[string, string]>([
    ['a length that no Base64 text has', 'a'],
    ['characters outside the alphabet', 'e30*'],
    ['too much padding', 'e30=='],
    ['bytes that are not UTF-8 (0xff)', '_w'],
    ['a truncated UTF-8 sequence', '4oI'],
  ])('throws on %s', (_label, encoded) => {
    expect(() => base64UrlDecode(encoded)).toThrow();
  });
});
