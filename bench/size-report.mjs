// Where the core bundle's bytes come from: bundles `src/index.ts` the way size-limit measures
// `dist/index.js` (esbuild, browser platform, minified, `_` members mangled, rxjs external) and
// prints each module's minified bytes, the total minified size and the brotli size.
//
//   node bench/size-report.mjs              # src/index.ts
//   node bench/size-report.mjs src/http.ts  # another entry
//
// Per-module figures are minified bytes before compression (brotli works on the whole file); use
// them to see which module to slim, and `npm run size` for the figure the target is checked on.
import * as esbuild from 'esbuild';
import { brotliCompressSync } from 'node:zlib';

const entry = process.argv[2] ?? 'src/index.ts';
const result = await esbuild.build({
  entryPoints: [entry],
  tsconfig: 'tsconfig.build.json',
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  write: false,
  metafile: true,
  external: ['rxjs', 'rxjs/*'],
  mangleProps: /^_/,
  logLevel: 'error',
});
const code = result.outputFiles[0].contents;
const output = Object.values(result.metafile.outputs)[0];
const rows = Object.entries(output.inputs)
  .map(([file, { bytesInOutput }]) => [file, bytesInOutput])
  .filter(([, bytes]) => bytes > 0)
  .sort((a, b) => b[1] - a[1]);
for (const [file, bytes] of rows) console.log(`${String(bytes).padStart(7)}  ${file}`);
console.log(`${String(code.length).padStart(7)}  total minified`);
console.log(`${String(brotliCompressSync(code).length).padStart(7)}  brotli (size-limit's figure is within a few bytes of this)`);
