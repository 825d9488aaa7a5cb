// A deliberately naive SigV4 implementation with node:crypto, for tests only: it spells out the
// canonical request, the string to sign and the HMAC key chain by hand so that the vectors the
// library produces can be checked independently of the library. Never used by the SDK.
import { createHash, createHmac } from 'node:crypto';

export interface ReferenceInput {
  readonly method: string;
  readonly path: string;
  /** Lower-case names, already in canonical (sorted) order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
  readonly amzDate: string;
  readonly region: string;
  readonly service: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface ReferenceOutput {
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
  readonly authorization: string;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

export function referenceSign(input: ReferenceInput): ReferenceOutput {
  const signedHeaders = input.headers.map(([name]) => name).join(';');
  const canonicalRequest = [
    input.method,
    input.path,
    '', // empty query
    ...input.headers.map(([name, value]) => `${name}:${value}`),
    '',
    signedHeaders,
    sha256Hex(input.body),
  ].join('\n');
  const shortDate = input.amzDate.slice(0, 8);
  const scope = `${shortDate}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', input.amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${input.secretAccessKey}`, shortDate);
  key = hmac(key, input.region);
  key = hmac(key, input.service);
  key = hmac(key, 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return {
    canonicalRequest,
    stringToSign,
    signature,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
