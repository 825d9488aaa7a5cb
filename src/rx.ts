/**
 * The RxJS values the library uses at run time, each imported from its own module rather than from
 * the `rxjs` barrel. Under Node the barrel loads all ~300 modules of RxJS (about 30 ms on a small
 * machine); these load in about 10 ms, which keeps `import 'appsync-events-rx'` fast. The paths are
 * RxJS 7's exported `rxjs/internal/*` entries (the peer range is ^7.8), which resolve to the very
 * same files as the barrel in Node and in bundlers, so there is still only one RxJS:
 * `spec/rx.spec.ts` checks that each value is identical to the barrel's. Types come from `rxjs`.
 *
 * Only what the core entry uses is listed: a bundler keeps every import of an external module,
 * used or not, so each extra line here is paid by every application. A module outside the core
 * bundle (such as `auth/iam.ts`) imports what only it needs from its own `rxjs/internal/*` path.
 *
 * @example
 * ```ts
 * import { Observable } from './rx';
 * ```
 */
export { Observable } from 'rxjs/internal/Observable';
export { Subject } from 'rxjs/internal/Subject';
export { BehaviorSubject } from 'rxjs/internal/BehaviorSubject';
export { asyncScheduler } from 'rxjs/internal/scheduler/async';
export { from } from 'rxjs/internal/observable/from';
