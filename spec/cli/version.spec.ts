import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../../src/cli/version';

describe('VERSION', () => {
  it('matches package.json, so `appsync-events --version` tells the truth after a release bump', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
