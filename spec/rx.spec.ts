/** `src/rx.ts` imports RxJS values from their own modules; they must be the barrel's very objects. */
import * as barrel from 'rxjs';
import * as rx from '../src/rx';

// Not exported by the barrel: RxJS's own hook for errors thrown by user callbacks.
const internalOnly = new Set(['reportUnhandledError']);

it.each(Object.keys(rx).filter((name) => !internalOnly.has(name)))('%s is the same object as in the rxjs barrel', (name) => {
  const value = (rx as Record<string, unknown>)[name];
  expect(value).toBeDefined();
  expect(value).toBe((barrel as Record<string, unknown>)[name]);
});

it('reportUnhandledError goes through rxjs config.onUnhandledError', async () => {
  const seen: unknown[] = [];
  const previous = barrel.config.onUnhandledError;
  const reported = new Promise<void>((resolve) => {
    barrel.config.onUnhandledError = (error) => {
      seen.push(error);
      resolve();
    };
  });
  try {
    const error = new Error('from a callback');
    rx.reportUnhandledError(error);
    await reported;
    expect(seen).toEqual([error]);
  } finally {
    barrel.config.onUnhandledError = previous;
  }
});
