/**
 * Every `import { … } from 'appsync-events-rx…'` shown in the README, the docs and the TSDoc examples
 * names something that entry point really exports, so that copied examples compile.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '../../src';
import * as http from '../../src/http';
import * as iam from '../../src/iam';
import * as protocol from '../../src/protocol';
import * as testing from '../../src/testing';

const root = join(__dirname, '..', '..');
const entries: Record<string, Record<string, unknown>> = {
  'appsync-events-rx': core,
  'appsync-events-rx/testing': testing,
  'appsync-events-rx/iam': iam,
  'appsync-events-rx/http': http,
  'appsync-events-rx/protocol': protocol,
};

function walk(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path, ext) : path.endsWith(ext) ? [path] : [];
  });
}

const sources = [join(root, 'README.md'), ...walk(join(root, 'docs'), '.md'), ...walk(join(root, 'src'), '.ts')];
const found: { file: string; names: string[]; from: string }[] = [];
for (const file of sources) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'(appsync-events-rx(?:\/[a-z]+)?)'/g)) {
    const names = (m[1] as string)
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean)
      .map((n) => n.replace(/^type\s+/, '').split(/\s+as\s+/)[0] as string);
    found.push({ file: file.slice(root.length + 1), names, from: m[2] as string });
  }
}

it('finds examples in the docs and in the TSDoc', () => {
  expect(found.length).toBeGreaterThan(100);
});

it('imports only names that the entry point exports', () => {
  // Types are erased: a type name is accepted if that entry's file mentions it in its export lists.
  const files: Record<string, string> = {
    'appsync-events-rx': 'src/index.ts',
    'appsync-events-rx/testing': 'src/testing/index.ts',
    'appsync-events-rx/iam': 'src/iam.ts',
    'appsync-events-rx/http': 'src/http.ts',
    'appsync-events-rx/protocol': 'src/protocol.ts',
  };
  const typeNames = (from: string): Set<string> => new Set(readFileSync(join(root, files[from] ?? 'src/index.ts'), 'utf8').match(/\b[A-Z][A-Za-z]+\b/g) ?? []);
  const missing: string[] = [];
  for (const { file, names, from } of found) {
    const entry = entries[from];
    for (const name of names) {
      const isValue = entry !== undefined && name in entry;
      if (!isValue && !(typeNames(from).has(name) && /^[A-Z]/.test(name))) missing.push(`${file}: ${name} from '${from}'`);
    }
  }
  expect(missing).toEqual([]);
});
