/** esbuild settings for bundling project sources into a script that plain Node runs (a CLI, a crash probe). */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';

const root = join(__dirname, '..', '..');

/**
 * Bundles for Node 20 as CommonJS, dependencies left to node_modules, with the project's tsconfig.
 *
 * @example
 * ```ts
 * await build({ ...NODE_BUNDLE, entryPoints: [join(root, 'src/cli/main.ts')], outfile });
 * ```
 */
export const NODE_BUNDLE: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  tsconfig: join(root, 'tsconfig.json'),
  logLevel: 'silent',
};

/**
 * Kills (SIGKILL) and awaits every child process of `children` still running, emptying the list:
 * for an `afterEach`, so that no test leaves a process behind.
 *
 * @example
 * ```ts
 * afterEach(() => killChildren(children));
 * ```
 */
export async function killChildren(children: ChildProcess[]): Promise<void> {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  }
}
