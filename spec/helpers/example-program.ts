/**
 * One TypeScript program over code examples (README and docs blocks, TSDoc `@example`s), type-checked
 * with the project's strict settings against the real public API: `appsync-events-rx…` resolves to
 * the entry points in src/. The examples and their declarations are in-memory files.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { entryPoints, root } from './public-api';

/**
 * The third-party modules the examples import, with the part of their real signatures they touch,
 * so that no SDK is installed. A script file: no import or export of its own.
 */
export const THIRD_PARTY_MODULES = `
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
declare module '@angular/core' {
  type Type<T> = abstract new (...args: never[]) => T;
  export class InjectionToken<T> {
    protected _brand: T;
    constructor(description: string, options?: { providedIn?: 'root' | 'platform' | 'any' | null; factory: () => T });
  }
  export function inject<T>(token: InjectionToken<T> | Type<T>): T;
  export abstract class DestroyRef {
    abstract onDestroy(callback: () => void): () => void;
  }
  export function Injectable(options?: { providedIn?: 'root' | 'platform' | 'any' | null }): <C extends Type<unknown>>(target: C, context?: unknown) => C;
  export type Signal<T> = (() => T) & { readonly brand: unique symbol };
}
declare module '@angular/core/rxjs-interop' {
  import type { Observable } from 'rxjs';
  import type { Signal } from '@angular/core';
  export function toSignal<T>(source: Observable<T>, options: { initialValue: T }): Signal<T>;
  export function toSignal<T>(source: Observable<T>, options: { requireSync: true }): Signal<T>;
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

/** Source files parsed once per test file (libraries and src/), shared by every program it builds. */
const parsed = new Map<string, ts.SourceFile>();

/**
 * A program over `files` (in-memory path → text; their paths are the program's roots) plus the
 * project's own files they import.
 *
 * @example
 * ```ts
 * const program = exampleProgram(new Map([[join(root, '.x', 'a.ts'), "import { createEventsClient } from 'appsync-events-rx';\nexport {};\n"]]));
 * ts.getPreEmitDiagnostics(program);
 * ```
 */
export function exampleProgram(files: ReadonlyMap<string, string>): ts.Program {
  const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), (p) => ts.sys.readFile(p));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  Object.assign(options, {
    noEmit: true,
    baseUrl: root,
    paths: Object.fromEntries(Object.entries(entryPoints).map(([entry, path]) => [entry, [join(root, path)]])),
  });
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
  // The examples' own folder exists only in memory (one example may import another).
  const { directoryExists } = host;
  host.directoryExists = (d) => [...files.keys()].some((f) => f.startsWith(`${d}/`)) || (directoryExists?.call(host, d) ?? ts.sys.directoryExists(d));
  host.readFile = (f) => files.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, ...rest) => {
    const text = files.get(f);
    if (text !== undefined) return ts.createSourceFile(f, text, language, true);
    const cached = parsed.get(f) ?? getSourceFile.call(host, f, language, ...rest);
    if (cached) parsed.set(f, cached);
    return cached;
  };
  return ts.createProgram([...files.keys()], options, host);
}
