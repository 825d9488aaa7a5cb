/**
 * The package version printed by `appsync-events --version`.
 *
 * Inlined rather than read from `package.json` at run time: the CLI runs from `src/cli/` under
 * tests and from the bundled `dist/cli.cjs` when installed, and the relative path to
 * `package.json` differs between the two. `spec/cli/version.spec.ts` fails when this constant and
 * `package.json` disagree, so a release bump cannot forget it.
 *
 * @example
 * ```ts
 * import { VERSION } from './version';
 * console.log(`appsync-events ${VERSION}`);
 * ```
 */
export const VERSION = '0.1.0';
