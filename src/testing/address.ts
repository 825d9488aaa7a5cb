import { isIPv6 } from 'node:net';

/**
 * True for a bind address that means every interface: `''`, `0.0.0.0` however it is written (`0`,
 * `0.0`, `0x0`, `00.0.0.0`: every form the system resolver reads as 0.0.0.0, which is what a URL
 * parser reads too) and `::` however it is written (`::0`, `0:0:0:0:0:0:0:0`).
 *
 * @example
 * ```ts
 * isWildcardAddress('0x0'); // true
 * isWildcardAddress('::0'); // true
 * isWildcardAddress('127.0.0.1'); // false
 * ```
 */
export function isWildcardAddress(host: string): boolean {
  if (host === '') return true;
  if (isIPv6(host)) return /^[0:]+$/.test(host);
  try {
    return new URL(`http://${host}`).hostname === '0.0.0.0';
  } catch {
    return false;
  }
}
