// Where the core bundle's bytes come from: bundles `src/index.ts` the way size-limit measures
// `dist/index.js` (esbuild, browser platform, minified, `_` members mangled, rxjs external) and
// prints each module's minified bytes, the total minified size and the brotli size.
//
//   node bench/size-report.mjs                     # src/index.ts
//   node bench/size-report.mjs src/http.ts         # another entry
//   node bench/size-report.mjs --without-messages  # also: brotli once every message text is deleted
//
// Per-module figures are minified bytes before compression (brotli works on the whole file); use
// them to see which module to slim, and `npm run size` for the figure the target is checked on.
import * as esbuild from 'esbuild';
import { brotliCompressSync } from 'node:zlib';
import ts from 'typescript';

const args = process.argv.slice(2);
const withoutMessages = args.includes('--without-messages');
const entry = args.find((a) => !a.startsWith('--')) ?? 'src/index.ts';
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
if (withoutMessages) {
  // Every string literal or template piece that contains a space is message text (identifiers,
  // message types and regexps have none): emptied, to see how much of the size is code.
  const text = Buffer.from(code).toString('utf8');
  const source = ts.createSourceFile('core.js', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const cuts = [];
  const visit = (node) => {
    const k = ts.SyntaxKind;
    if ([k.StringLiteral, k.NoSubstitutionTemplateLiteral, k.TemplateHead, k.TemplateMiddle, k.TemplateTail].includes(node.kind) && node.text.includes(' ')) {
      const open = text[node.getStart()];
      const close = node.kind === k.TemplateHead || node.kind === k.TemplateMiddle ? '${' : open === '}' ? '`' : open;
      cuts.push([node.getStart(), node.getEnd(), node.kind === k.StringLiteral || node.kind === k.NoSubstitutionTemplateLiteral ? open + open : open + close]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  let stripped = text;
  for (const [start, end, replacement] of cuts.sort((a, b) => b[0] - a[0])) stripped = stripped.slice(0, start) + replacement + stripped.slice(end);
  await esbuild.transform(stripped, { format: 'esm', loader: 'js' }); // still valid JavaScript
  console.log(`${String(brotliCompressSync(Buffer.from(stripped)).length).padStart(7)}  brotli without message text (${cuts.length} strings emptied)`);
}

