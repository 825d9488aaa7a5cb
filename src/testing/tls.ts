/**
 * A throw-away TLS identity for the emulator (`startEventApi({ tls })`): a self-signed certificate
 * for the loopback names, made in memory. `appsync-events serve --tls` uses it too.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { isWildcardAddress } from './address';
import { generate } from 'selfsigned';

/** Names every development certificate covers. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'] as const;

/** Validity of a generated certificate. Short on purpose: a new one is made at every start. */
const VALIDITY_DAYS = 30;

/**
 * A PEM key pair for `startEventApi({ tls })`.
 *
 * @example
 * ```ts
 * import { generateSelfSignedCertificate, startEventApi, type PemKeyPair } from 'appsync-events-rx/testing';
 * const tls: PemKeyPair = await generateSelfSignedCertificate();
 * const api = await startEventApi({ tls });
 * ```
 */
export interface PemKeyPair {
  /** PKCS#8 private key, PEM. Keep it in memory; never print it. */
  readonly key: string;
  /** X.509 certificate, PEM. */
  readonly cert: string;
}

/**
 * Generates a self-signed ECDSA P-256 / SHA-256 certificate valid for 30 days whose subject
 * alternative names are `localhost`, `127.0.0.1`, `::1` and any extra `hosts` (IP literals become
 * IP entries, anything else DNS entries; a wildcard bind such as `0.0.0.0` or `::`, which no
 * client connects to by that name, stands for this machine's own addresses instead: its IPv4 ones,
 * and with `::` its IPv6 ones too, link-local excepted). The certificate is its own issuer, so a client that
 * trusts it as a CA (`ca: cert`, `NODE_EXTRA_CA_CERTS`) accepts the server.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:https';
 * import { generateSelfSignedCertificate } from 'appsync-events-rx/testing';
 * const { key, cert } = await generateSelfSignedCertificate(['dev.local']);
 * createServer({ key, cert }).listen(0, '127.0.0.1');
 * ```
 */
export async function generateSelfSignedCertificate(hosts: readonly string[] = []): Promise<PemKeyPair> {
  const names = certificateNames(hosts);
  const notBeforeDate = new Date(Date.now() - 60_000); // tolerate small clock differences
  const notAfterDate = new Date(notBeforeDate.getTime() + VALIDITY_DAYS * 24 * 60 * 60 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'appsync-events local emulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      // A CA flag lets strict verifiers accept it as the trust anchor it is.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((name) => (isIP(name) !== 0 ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })),
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

function certificateNames(hosts: readonly string[]): string[] {
  const names: string[] = [...LOOPBACK_NAMES];
  for (const raw of hosts) {
    const host = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
    // A wildcard is no name to check against: the machine's own addresses are, which a client on
    // another machine connects to (IPv4 ones for 0.0.0.0; with :: also the IPv6 ones).
    const add = isWildcardAddress(host) ? machineAddresses(host.includes(':')) : [host];
    for (const name of add) if (!names.includes(name)) names.push(name);
  }
  return names;
}

function machineAddresses(ipv6: boolean): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && !i.internal && (ipv6 || i.family === 'IPv4') && !i.address.startsWith('fe80:'))
    .map((i) => i!.address);
}
