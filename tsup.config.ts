import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    iam: 'src/iam.ts',
    http: 'src/http.ts',
    protocol: 'src/protocol.ts',
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: {
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', iam: 'src/iam.ts', http: 'src/http.ts', protocol: 'src/protocol.ts' },
  },
  // Shared chunks in both formats, so that `instanceof` on SDK errors works across entry points.
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'es2020',
  tsconfig: 'tsconfig.build.json',
  // Internal members are named with a leading `_` (never public fields: errors, states, results,
  // options); esbuild shortens them. One esbuild build per format covers every entry point, so the
  // names agree across the shared chunks of a format.
  esbuildOptions(options) {
    options.mangleProps = /^_/;
  },
});
