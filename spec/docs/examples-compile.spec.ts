/**
 * Docs that compile: every ```ts block in the README and in docs/ is type-checked, as written,
 * against the real public API (`appsync-events-rx…` resolves to `src/`), with the project's strict
 * settings. A renamed option, a changed result type or a missing import in an example fails here.
 *
 * Blocks are fragments of a page: what a page introduces in prose or in an earlier block (`client`,
 * `api`, `httpEndpoint`, a token getter) is declared once, in `CONTEXT` below, and a block that
 * declares or imports the name itself shadows it. Third-party modules the auth guide uses are
 * declared with the part of their real signatures the examples touch, so that no SDK is installed.
 * The README's seed examples are also executed (readme.spec.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..', '..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

interface Block {
  /** `docs/auth.md:102`: the line of the block's first code line. */
  readonly where: string;
  readonly file: string;
  readonly code: string;
}

const blocks: Block[] = pages.flatMap((page) => {
  const text = readFileSync(join(root, page), 'utf8');
  return [...text.matchAll(/^[ \t]*```ts\n([\s\S]*?)^[ \t]*```/gm)].map((m, i) => {
    const line = text.slice(0, m.index).split('\n').length + 1;
    return { where: `${page}:${line}`, file: join(root, '.docs-examples', `${page.replace(/\W/g, '_')}_${i}.ts`), code: m[1] as string };
  });
});

const CONTEXT = `
import type { AuthProvider, EventsClient } from 'appsync-events-rx';
import type { EventApi } from 'appsync-events-rx/testing';
import type { Subscription } from 'rxjs';
declare global {
  const client: EventsClient;
  const api: EventApi;
  const sub: Subscription;
  const httpEndpoint: string;
  const auth: AuthProvider;
  const session: { currentToken(): Promise<string> };
  const tokenCache: { getIdToken(): string | Promise<string> };
  function getIdToken(): Promise<string>;
  interface Order { readonly id: string }
  function reloadOrders(): void;
  function applyOrderEvent(order: Order): void;
}
`;

/** Ambient declarations of the third-party modules (a script file: no import or export of its own). */
const MODULES = `
declare module 'aws-amplify/auth' {
  interface AWSCredentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }
  interface JWT { toString(): string }
  export function fetchAuthSession(): Promise<{ tokens?: { idToken?: JWT; accessToken: JWT }; credentials?: AWSCredentials }>;
}
declare module 'amazon-cognito-identity-js' {
  export class CognitoUserSession { getIdToken(): { getJwtToken(): string } }
  export class CognitoUser { getSession(callback: (error: Error | null, session: CognitoUserSession | null) => void): void }
  export class CognitoUserPool {
    constructor(data: { UserPoolId: string; ClientId: string });
    getCurrentUser(): CognitoUser | null;
  }
}
declare module 'oidc-client-ts' {
  export class UserManager {
    constructor(settings: { authority: string; client_id: string; redirect_uri: string });
    getUser(): Promise<{ id_token?: string } | null>;
  }
}
declare module '@aws-sdk/credential-providers' {
  interface AwsCredentialIdentity { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }
  type Provider = () => Promise<AwsCredentialIdentity>;
  export function fromNodeProviderChain(): Provider;
  export function fromCognitoIdentityPool(init: {
    identityPoolId: string;
    clientConfig?: { region?: string };
    logins?: Record<string, string | (() => Promise<string>)>;
  }): Provider;
}
`;

function diagnostics(): string[] {
  const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), (p) => ts.sys.readFile(p));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const entry = (path: string): string[] => [join(root, 'src', path)];
  Object.assign(options, {
    noEmit: true,
    baseUrl: root,
    paths: {
      'appsync-events-rx': entry('index.ts'),
      'appsync-events-rx/testing': entry('testing/index.ts'),
      'appsync-events-rx/iam': entry('iam.ts'),
      'appsync-events-rx/http': entry('http.ts'),
      'appsync-events-rx/protocol': entry('protocol.ts'),
    },
  });
  const contextFile = join(root, '.docs-examples', 'context.d.ts');
  const modulesFile = join(root, '.docs-examples', 'modules.d.ts');
  // `export {}`: a block is a module even without imports (top-level await, names of its own).
  const virtual = new Map<string, string>([[contextFile, CONTEXT], [modulesFile, MODULES], ...blocks.map((b): [string, string] => [b.file, `${b.code}\nexport {};\n`])]);
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, ...rest) => {
    const text = virtual.get(f);
    return text === undefined ? getSourceFile.call(host, f, language, ...rest) : ts.createSourceFile(f, text, language, true);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const byFile = new Map(blocks.map((b) => [b.file, b]));
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const block = d.file && (byFile.get(d.file.fileName) ?? ([contextFile, modulesFile].includes(d.file.fileName) ? { where: 'CONTEXT:1' } : undefined));
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (!d.file || !block || d.start === undefined) return `${d.file?.fileName ?? '?'}: ${message}`;
    const [page, first] = block.where.split(':') as [string, string];
    return `${page}:${Number(first) + d.file.getLineAndCharacterOfPosition(d.start).line}: ${message}`;
  });
}

it('finds the ts blocks of the README and every page of docs/', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(25);
  for (const page of pages) expect(blocks.some((b) => b.where.startsWith(`${page}:`))).toBe(true);
});

it('type-checks every block against the public API', () => {
  expect(diagnostics()).toEqual([]);
}, 60_000);

it('would report a block that uses the API wrongly, at its line in the page', () => {
  const page = blocks.find((b) => b.where.startsWith('docs/getting-started.md:')) as Block;
  const original = page.code;
  (page as { code: string }).code = `${original}client.publish('/default/chat', 'not an array');\n`;
  try {
    const found = diagnostics();
    const line = Number(page.where.split(':')[1]) + original.split('\n').length - 1;
    expect(found).toEqual([expect.stringMatching(new RegExp(`^docs/getting-started\\.md:${line}: Argument of type 'string'`))]);
  } finally {
    (page as { code: string }).code = original;
  }
}, 60_000);
