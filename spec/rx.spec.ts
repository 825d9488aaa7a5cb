/** `src/rx.ts` imports RxJS values from their own modules; they must be the barrel's very objects. */
import * as barrel from 'rxjs';
import * as rx from '../src/rx';

it.each(Object.keys(rx))('%s is the same object as in the rxjs barrel', (name) => {
  const value = (rx as Record<string, unknown>)[name];
  expect(value).toBeDefined();
  expect(value).toBe((barrel as Record<string, unknown>)[name]);
});
