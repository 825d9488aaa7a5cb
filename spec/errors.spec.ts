import { build, stop as stopEsbuild } from 'esbuild';
import { join } from 'node:path';
import {
  AppSyncEventsError,
  ChannelNotSubscribedError,
  ConnectionClosedError,
  ConnectionError,
  ErrorCode,
  IdExistsError,
  isAuthorizationFailure,
  KeepAliveTimeoutError,
  MarshalError,
  PartialPublishError,
  PublishOutcomeUnknownError,
  scrubSecrets,
  ServerError,
  serverError,
  TimeoutError,
  UnauthorizedError,
  UnsupportedMessageFormatError,
  ValidationError,
} from '../src/errors';
import type { MessageError } from '../src/protocol/messages';

describe('error classes: stable name and code', () => {
  it.each<[string, () => AppSyncEventsError, string, string]>([
    ['ValidationError', () => new ValidationError('INVALID_CHANNEL', 'bad channel'), 'ValidationError', 'VALIDATION'],
    ['ChannelNotSubscribedError', () => new ChannelNotSubscribedError('/default/a'), 'ChannelNotSubscribedError', 'CHANNEL_NOT_SUBSCRIBED'],
    ['TimeoutError', () => new TimeoutError('subscribe', 15000), 'TimeoutError', 'TIMEOUT'],
    ['ServerError', () => new ServerError('publish', []), 'ServerError', 'SERVER_ERROR'],
    ['UnauthorizedError', () => new UnauthorizedError('connect', []), 'UnauthorizedError', 'UNAUTHORIZED'],
    ['UnsupportedMessageFormatError', () => new UnsupportedMessageFormatError('frame is not JSON', 'x'), 'UnsupportedMessageFormatError', 'UNSUPPORTED_MESSAGE_FORMAT'],
    ['MarshalError', () => new MarshalError(0), 'MarshalError', 'MARSHAL_FAILED'],
    ['IdExistsError', () => new IdExistsError('abc'), 'IdExistsError', 'ID_EXISTS'],
    ['ConnectionError', () => new ConnectionError('closed'), 'ConnectionError', 'CONNECTION_FAILED'],
    ['ConnectionClosedError', () => new ConnectionClosedError('client'), 'ConnectionClosedError', 'CONNECTION_CLOSED'],
    ['KeepAliveTimeoutError', () => new KeepAliveTimeoutError(300000), 'KeepAliveTimeoutError', 'KEEP_ALIVE_TIMEOUT'],
    ['PublishOutcomeUnknownError', () => new PublishOutcomeUnknownError('/default/a', [0]), 'PublishOutcomeUnknownError', 'PUBLISH_OUTCOME_UNKNOWN'],
    ['PartialPublishError', () => new PartialPublishError('/default/a', { successful: [0], failed: [] }, new TimeoutError('publish', 5)), 'PartialPublishError', 'PUBLISH_PARTIAL'],
  ])('%s', (_label, make, name, code) => {
    const e = make();
    expect(e.name).toBe(name);
    expect(e.code).toBe(code);
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(AppSyncEventsError);
    expect(AppSyncEventsError.is(e)).toBe(true);
    expect(AppSyncEventsError.is(e, code as ErrorCode)).toBe(true);
    expect(String(e)).toBe(`${name}: ${e.message}`);
    expect(e.stack).toEqual(expect.any(String));
  });

  it('ErrorCode values are stable', () => {
    expect(ErrorCode).toEqual({
      Validation: 'VALIDATION',
      ChannelNotSubscribed: 'CHANNEL_NOT_SUBSCRIBED',
      Timeout: 'TIMEOUT',
      Server: 'SERVER_ERROR',
      Unauthorized: 'UNAUTHORIZED',
      UnsupportedMessageFormat: 'UNSUPPORTED_MESSAGE_FORMAT',
      Marshal: 'MARSHAL_FAILED',
      IdExists: 'ID_EXISTS',
      Connection: 'CONNECTION_FAILED',
      ConnectionClosed: 'CONNECTION_CLOSED',
      KeepAliveTimeout: 'KEEP_ALIVE_TIMEOUT',
      PublishOutcomeUnknown: 'PUBLISH_OUTCOME_UNKNOWN',
      PartialPublish: 'PUBLISH_PARTIAL',
    });
  });

  it('messages carry the details', () => {
    expect(new ChannelNotSubscribedError('/default/a').message).toBe('channel /default/a is not subscribed');
    expect(new TimeoutError('publish', 1500).message).toBe('no reply to publish within 1500 ms');
    expect(new IdExistsError('abc').message).toBe('id abc is already in use');
    expect(new ConnectionClosedError('publish').message).toBe('connection closed before publish completed');
    expect(new KeepAliveTimeoutError(300000).message).toBe('nothing received for 300000 ms');
    expect(new UnsupportedMessageFormatError('frame is not JSON', 'x').message).toBe('frame is not JSON');
  });

  it('MarshalError keeps its cause (not enumerable) and quotes its message', () => {
    const cause = new TypeError('Do not know how to serialize a BigInt');
    const e = new MarshalError(2, cause);
    expect(e.index).toBe(2);
    expect(e.message).toBe('event 2 is not JSON-serialisable: Do not know how to serialize a BigInt');
    expect(e.cause).toBe(cause);
    expect(Object.keys(e)).not.toContain('cause');
    expect(new MarshalError(1, 'not an error').message).toBe('event 1 is not JSON-serialisable');
  });

  it('an error without a cause has no cause property', () => {
    expect('cause' in new IdExistsError('a')).toBe(false);
    expect('cause' in new ValidationError('INVALID_ID', 'x')).toBe(false);
    expect('cause' in new MarshalError(0)).toBe(false);
  });

  it('ValidationError keeps a given cause (not enumerable)', () => {
    const cause = new TypeError('boom');
    const e = new ValidationError('AUTH_PROVIDER_FAILED', 'auth provider failed', undefined, cause);
    expect(e.cause).toBe(cause);
    expect(Object.keys(e)).not.toContain('cause');
  });
});

describe('AppSyncEventsError.is', () => {
  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'ValidationError'],
    ['a plain Error', new Error('x')],
    ['a look-alike without the brand', { name: 'ServerError', code: 'SERVER_ERROR', message: 'x' }],
    ['a brand that is not true', { [Symbol.for('appsync-events-rx.error')]: 'yes', code: 'TIMEOUT' }],
  ])('is false for %s', (_label, value) => {
    expect(AppSyncEventsError.is(value)).toBe(false);
  });

  it('recognises an error from another copy of the package (registered symbol brand)', () => {
    const foreign = { [Symbol.for('appsync-events-rx.error')]: true, code: 'TIMEOUT', name: 'TimeoutError', message: 'x' };
    expect(AppSyncEventsError.is(foreign)).toBe(true);
    expect(AppSyncEventsError.is(foreign, ErrorCode.Timeout)).toBe(true);
    expect(AppSyncEventsError.is(foreign, ErrorCode.Server)).toBe(false);
  });

  it('filters by code', () => {
    const e = new TimeoutError('connect', 10);
    expect(AppSyncEventsError.is(e, ErrorCode.Timeout)).toBe(true);
    expect(AppSyncEventsError.is(e, ErrorCode.Validation)).toBe(false);
    expect(AppSyncEventsError.is(new UnauthorizedError('connect', []), ErrorCode.Server)).toBe(false);
    expect(AppSyncEventsError.is(new UnauthorizedError('connect', []), ErrorCode.Unauthorized)).toBe(true);
  });
});

describe('toJSON', () => {
  it('gives name, code, message and the public fields', () => {
    const e = new ValidationError('EVENT_TOO_LARGE', 'event 1 is too large', 1);
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      name: 'ValidationError',
      code: 'VALIDATION',
      message: 'event 1 is too large',
      reason: 'EVENT_TOO_LARGE',
      index: 1,
    });
  });

  it('includes the server errors and status of a ServerError', () => {
    const e = serverError('http-publish', [{ errorType: 'BadRequestException', message: 'nope' }], 400);
    expect(e.toJSON()).toEqual({
      name: 'ServerError',
      code: 'SERVER_ERROR',
      message: 'http-publish failed: BadRequestException: nope',
      operation: 'http-publish',
      status: 400,
      errors: [{ errorType: 'BadRequestException', message: 'nope' }],
    });
  });

  it('leaves out the cause (it may be anything, including something that does not serialise)', () => {
    const cause = { self: undefined as unknown };
    cause.self = cause;
    const e = new ConnectionError('socket failed', 1006, 'abnormal', cause);
    expect(() => JSON.stringify(e)).not.toThrow();
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      name: 'ConnectionError',
      code: 'CONNECTION_FAILED',
      message: 'socket failed',
      closeCode: 1006,
      closeReason: 'abnormal',
    });
  });

  it('leaves out the brand symbol', () => {
    expect(Object.getOwnPropertySymbols(new IdExistsError('a').toJSON())).toEqual([]);
  });
});

describe('serverError', () => {
  it.each<[string, MessageError[], number | undefined]>([
    ['UnauthorizedException', [{ errorType: 'UnauthorizedException', errorCode: 401, message: 'You are not authorized to make this call.' }], undefined],
    ['Unauthorized (onSubscribe handler)', [{ errorType: 'Unauthorized' }], undefined],
    ['NotAuthorizedException', [{ errorType: 'NotAuthorizedException' }], undefined],
    ['ForbiddenException', [{ errorType: 'ForbiddenException' }], 403],
    ['errorCode 401 with another type', [{ errorType: 'Something', errorCode: 401 }], undefined],
    ['errorCode 403 with another type', [{ errorType: 'Something', errorCode: 403 }], undefined],
    ['an auth error among others', [{ errorType: 'BadRequestException' }, { errorType: 'UnauthorizedException' }], undefined],
  ])('picks UnauthorizedError for %s', (_label, errors, status) => {
    const e = serverError('subscribe', errors, status);
    expect(e).toBeInstanceOf(UnauthorizedError);
    expect(e).toBeInstanceOf(ServerError);
    expect(e.name).toBe('UnauthorizedError');
    expect(e.code).toBe('UNAUTHORIZED');
    expect(e.operation).toBe('subscribe');
    expect(e.status).toBe(status);
    expect(e.errors).toEqual(errors);
    expect(isAuthorizationFailure(errors)).toBe(true);
  });

  it.each<[string, MessageError[]]>([
    ['no errors', []],
    ['BadRequestException (SigV4 mismatch)', [{ errorType: 'BadRequestException' }]],
    ['SubscriptionProcessingError', [{ errorType: 'SubscriptionProcessingError', message: 'x' }]],
    ['UnknownOperationError', [{ errorType: 'UnknownOperationError' }]],
    ['errorCode 400', [{ errorType: 'X', errorCode: 400 }]],
    ['lower-case unauthorizedexception', [{ errorType: 'unauthorizedexception' }]],
    ['the word in the message only', [{ errorType: 'X', message: 'UnauthorizedException' }]],
  ])('picks a plain ServerError for %s', (_label, errors) => {
    const e = serverError('publish', errors);
    expect(e).toBeInstanceOf(ServerError);
    expect(e).not.toBeInstanceOf(UnauthorizedError);
    expect(e.name).toBe('ServerError');
    expect(e.code).toBe('SERVER_ERROR');
    expect(isAuthorizationFailure(errors)).toBe(false);
  });

  it('describes the errors in its message', () => {
    expect(serverError('publish', []).message).toBe('publish failed: no details');
    expect(serverError('unsubscribe', [{ errorType: 'UnknownOperationError', message: 'Unknown operation id x' }, { errorType: 'Other' }]).message).toBe(
      'unsubscribe failed: UnknownOperationError: Unknown operation id x; Other',
    );
  });

  it('scrubs credentials from the server messages, in errors[] and in its own message', () => {
    const leaked =
      "The request signature we calculated does not match. The Canonical String for this request should have been 'POST\n/event\n\n" +
      'host:abc.appsync-api.eu-west-1.amazonaws.com\nx-amz-date:20250101T000000Z\nx-amz-security-token:IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3Qt\n\n' +
      "host;x-amz-date;x-amz-security-token\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'";
    const original: MessageError[] = [{ errorType: 'BadRequestException', message: leaked, errorCode: 400 }];
    const e = serverError('publish', original);
    expect(e.errors[0]?.message).not.toContain('IQoJb3JpZ2luX2VjEJr');
    expect(e.errors[0]?.message).toContain('x-amz-security-token:[redacted]');
    expect(e.errors[0]).toMatchObject({ errorType: 'BadRequestException', errorCode: 400 });
    expect(e.message).not.toContain('IQoJb3JpZ2luX2VjEJr');
    expect(JSON.stringify(e)).not.toContain('IQoJb3JpZ2luX2VjEJr');
    // The caller's array is left alone.
    expect(original[0]?.message).toBe(leaked);
  });
});

describe('scrubSecrets', () => {
  it.each<[string, string, string]>([
    ['API key header', 'x-api-key:da2-abcdefghijklmnopqrstuvwxyz', 'x-api-key:[redacted]'],
    ['API key header with spaces and quotes', 'x-api-key = "da2-abcdefghijklmnopqrstuvwxyz"', 'x-api-key = "[redacted]"'],
    ['API key header in another case', 'X-Api-Key: secret', 'X-Api-Key: [redacted]'],
    ['bare API key', 'key da2-abcdefghijklmnopqrstuvwxyz was refused', 'key [redacted] was refused'],
    ['session token header line', 'x-amz-security-token:IQoJb3JpZ2luX2Vj//+/=\nhost:h', 'x-amz-security-token:[redacted]\nhost:h'],
    ['session token as a query parameter', 'X-Amz-Security-Token=IQoJabc', 'X-Amz-Security-Token=[redacted]'],
    ['signature as a query parameter', 'x-amz-signature=abcdef0123', 'x-amz-signature=[redacted]'],
    ['authorization with = and a value', 'authorization=opaque-token', 'authorization=[redacted]'],
    [
      'SigV4 Authorization value',
      'Credential=AKIAIOSFODNN7EXAMPLE/20250101/eu-west-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef',
      'Credential=[redacted]/20250101/eu-west-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=[redacted]',
    ],
    ['temporary access key id', 'Credential=ASIAEXAMPLE123/2025', 'Credential=[redacted]/2025'],
    ['JWT', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln-_ expired', 'token [redacted] expired'],
    ['JWT without signature', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.', '[redacted]'],
    ['several secrets at once', 'x-api-key:a1 and x-api-key:b2', 'x-api-key:[redacted] and x-api-key:[redacted]'],
  ])('redacts %s', (_label, text, expected) => {
    expect(scrubSecrets(text)).toBe(expected);
  });

  it.each([
    'You are not authorized to make this call.',
    'authorization header is missing',
    'Unknown operation id 5f1c9a0e-7d2b-4b8e-9c61-2a7f0e4d3b19',
    'Transformed event is larger than 240KB',
    'host;x-amz-date;x-amz-security-token',
    'da2-short',
    '',
  ])('leaves ordinary text alone: %j', (text) => {
    expect(scrubSecrets(text)).toBe(text);
  });

  it('gives the same answer on repeated calls (no global-regex lastIndex state)', () => {
    const text = 'x-api-key:da2-abcdefghijklmnopqrstuvwxyz';
    expect(scrubSecrets(text)).toBe(scrubSecrets(text));
    expect(scrubSecrets(text)).toBe('x-api-key:[redacted]');
  });
});

describe('scrubSecrets: quoted keys, bearer tokens and query-style parameters', () => {
  it.each([
    ['Authorization: Bearer secret-lambda-token-123', 'secret-lambda-token-123'],
    ['{"x-amz-security-token":"IQoJsessiontoken"}', 'IQoJsessiontoken'],
    ['{"authorization":"my-lambda-token"}', 'my-lambda-token'],
    ['{"x-api-key":"da2-short"}', 'da2-short'],
    ['X-Amz-Security-Token=abc123token&X-Amz-Date=1', 'abc123token'],
  ])('removes the secret from %s', (text, secret) => {
    const out = scrubSecrets(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('keeps the parameters after a redacted query value', () => {
    expect(scrubSecrets('X-Amz-Security-Token=abc&X-Amz-Date=1')).toBe('X-Amz-Security-Token=[redacted]&X-Amz-Date=1');
  });

  it('scrubs the close reason of a ConnectionError', () => {
    const e = new ConnectionError('closed', 1000, 'x-api-key: da2-abcdefghijklmnopqrstuvwxyz');
    expect(e.closeReason).not.toContain('da2-abcdefghijklmnopqrstuvwxyz');
    expect(JSON.stringify(e)).not.toContain('da2-abcdefghijklmnopqrstuvwxyz');
  });
});

describe('names survive an application minifier', () => {
  afterAll(() => stopEsbuild());

  it('keeps each class name when the classes are renamed', async () => {
    // What an application bundler does to the SDK: minify identifiers, classes included.
    const result = await build({
      entryPoints: [join(__dirname, '..', 'src', 'errors.ts')],
      bundle: true,
      minify: true,
      format: 'cjs',
      platform: 'node',
      write: false,
      logLevel: 'silent',
    });
    const mod = { exports: {} as Record<string, new (...args: unknown[]) => Error> };
    new Function('module', 'exports', result.outputFiles[0]!.text)(mod, mod.exports);
    const made: [string, Error][] = [
      ['ValidationError', new mod.exports.ValidationError!('INVALID_CHANNEL', 'x')],
      ['TimeoutError', new mod.exports.TimeoutError!('publish', 1)],
      ['UnauthorizedError', new mod.exports.UnauthorizedError!('connect', [])],
      ['ConnectionError', new mod.exports.ConnectionError!('x')],
      ['PublishOutcomeUnknownError', new mod.exports.PublishOutcomeUnknownError!('/a/b', [0])],
    ];
    for (const [name, error] of made) expect(error.name).toBe(name);
  });
});
