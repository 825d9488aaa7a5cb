import { DEFAULT_KEEP_ALIVE_INTERVAL_MS } from '../protocol/limits';
import { isWildcardAddress } from '../testing/address';
import { VERSION } from './version';

/**
 * What `appsync-events serve` tells the user once the emulator is listening.
 *
 * @example
 * ```ts
 * import type { ServeBannerInfo } from './banner';
 * const info: ServeBannerInfo = { httpEndpoint: 'http://127.0.0.1:8080/event', realtimeEndpoint: 'ws://127.0.0.1:8080/event/realtime', apiKeys: ['da2-local'], namespaces: ['default'], bindHost: '127.0.0.1' };
 * ```
 */
export interface ServeBannerInfo {
  readonly httpEndpoint: string;
  readonly realtimeEndpoint: string;
  /** Accepted keys; the first is used in the snippets. */
  readonly apiKeys: readonly string[];
  readonly namespaces: readonly string[];
  /** Interface the server is bound to, as given with `--host`. */
  readonly bindHost: string;
  /** `ka` interval when set with `--ka-interval`. */
  readonly keepAliveIntervalMs?: number;
  /** Where the TLS certificate PEM was written, when serving TLS. */
  readonly certificatePath?: string;
}

/**
 * Labels of the banner lines that carry values, so that scripts and tests can find them
 * (`line.startsWith(BANNER_LABELS.httpEndpoint)`).
 *
 * @example
 * ```ts
 * import { BANNER_LABELS } from './banner';
 * const http = output.split('\n').find((l) => l.trimStart().startsWith(BANNER_LABELS.httpEndpoint));
 * ```
 */
export const BANNER_LABELS = {
  httpEndpoint: 'HTTP endpoint:',
  realtimeEndpoint: 'Realtime endpoint:',
  apiKey: 'API key:',
  certificate: 'TLS certificate:',
} as const;

/** The last banner line; printed once everything above is valid. @example `await waitForStdout(READY_LINE);` */
export const READY_LINE = 'Press Ctrl-C to stop.';

/**
 * Formats the banner: endpoints, key(s), namespaces, the certificate and how to trust it (TLS),
 * a TypeScript snippet using `createEventsClient` and a `curl` HTTP publish, ending with
 * {@link READY_LINE}. Values are quoted for the language they are pasted into.
 *
 * @example
 * ```ts
 * import { formatServeBanner } from './banner';
 * process.stdout.write(formatServeBanner({ httpEndpoint: api.httpEndpoint, realtimeEndpoint: api.realtimeEndpoint, apiKeys: api.apiKeys, namespaces: ['default'], bindHost: '127.0.0.1' }));
 * ```
 */
export function formatServeBanner(info: ServeBannerInfo): string {
  const key = info.apiKeys[0] ?? '';
  const pad = (label: string): string => `  ${label.padEnd(20)}`;
  const lines: string[] = [
    `AppSync Events emulator (appsync-events-rx ${VERSION}) is listening.`,
    '',
    `${pad(BANNER_LABELS.httpEndpoint)}${info.httpEndpoint}`,
    `${pad(BANNER_LABELS.realtimeEndpoint)}${info.realtimeEndpoint}`,
    `${pad(BANNER_LABELS.apiKey)}${key}`,
  ];
  if (info.apiKeys.length > 1) lines.push(`${pad('Other API keys:')}${info.apiKeys.slice(1).join(', ')}`);
  lines.push(`${pad('Namespaces:')}${info.namespaces.join(', ')}`);
  lines.push(`${pad('Keep-alive:')}every ${info.keepAliveIntervalMs ?? DEFAULT_KEEP_ALIVE_INTERVAL_MS} ms`);
  if (info.certificatePath !== undefined) {
    lines.push(
      `${pad(BANNER_LABELS.certificate)}${info.certificatePath}`,
      '',
      'The certificate is self-signed and made for this run (deleted on exit). To trust it:',
      `  Node.js:  NODE_EXTRA_CA_CERTS=${shellQuote(info.certificatePath)} node your-app.js`,
      `  curl:     --cacert ${shellQuote(info.certificatePath)}`,
    );
  }
  if (isWildcardAddress(info.bindHost)) {
    lines.push(
      '',
      `Note: bound to ${info.bindHost}, so anyone on your network who has the API key can use this emulator.`,
      `      From another machine, use this machine's address instead of the one above${info.certificatePath === undefined ? ", and add 'allowInsecure: true' to the client config (or run with --tls)" : ''}.`,
    );
  }
  const channel = `/${info.namespaces[0] ?? 'default'}/hello`;
  const body = JSON.stringify({ channel, events: [JSON.stringify({ text: 'hi' })] });
  lines.push(
    '',
    'Connect from TypeScript:',
    '',
    "  import { apiKeyAuth, createEventsClient } from 'appsync-events-rx';",
    '',
    '  const client = createEventsClient({',
    `    httpEndpoint: ${tsString(info.httpEndpoint)},`,
    `    realtimeEndpoint: ${tsString(info.realtimeEndpoint)},`,
    `    auth: apiKeyAuth(${tsString(key)}),`,
    '  });',
    '',
    'Publish over HTTP:',
    '',
    `  curl -sS${info.certificatePath === undefined ? '' : ` --cacert ${shellQuote(info.certificatePath)}`} -X POST ${shellQuote(info.httpEndpoint)} \\`,
    `    -H 'content-type: application/json' -H ${shellQuote(`x-api-key: ${key}`)} \\`,
    `    -d ${shellQuote(body)}`,
    '',
    READY_LINE,
    '',
  );
  return lines.join('\n');
}

/** POSIX shell single-quoting: safe for any text. */
function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A single-quoted TypeScript string literal. */
function tsString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
