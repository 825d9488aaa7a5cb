/**
 * `appsync-events demo` (what `npm start` runs). Placeholder until the client lands.
 *
 * @example
 * ```ts
 * import { runDemo } from './demo';
 * process.exitCode = await runDemo([]);
 * ```
 */
export async function runDemo(_argv: readonly string[]): Promise<number> {
  return 0;
}
