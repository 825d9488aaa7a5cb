import { isIPv6 } from 'node:net';

/**
 * True for a bind address that means every interface: `''`, `0.0.0.0` however it is written
 * (`0`, `0.0`, `00.0.0.0`: what the system resolver reads as 0.0.0.0) and `::` however it is
 * written (`::0`, `0:0:0:0:0:0:0:0`).
 *
 * @example
 * ```ts
 * isWildcardAddress('::0'); // true
 * isWildcardAddress('127.0.0.1'); // false
 * ```
 */
export function isWildcardAddress(host: string): boolean {
  return host === '' || /^0+(\.0+){0,3}$/.test(host) || (isIPv6(host) && /^[0:]+$/.test(host));
}
