import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPAT_MODULES, parseSpecifier } from './compat-modules';

const lock = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package-lock.json'), 'utf8'));

describe('COMPAT_MODULES', () => {
  it.each(COMPAT_MODULES.filter((m) => m.kind === 'package').map((m) => [m.id, m.version]))(
    'declares the version of %s that package-lock installs (%s)',
    (id, version) => {
      expect(lock.packages[`node_modules/${id}`]?.version).toBe(version);
    },
  );
});

describe('parseSpecifier', () => {
  it.each([
    ['axios', { name: 'axios', version: undefined, subpath: '' }],
    ['axios@0.21.1', { name: 'axios', version: '0.21.1', subpath: '' }],
    ['@slack/webhook@5.0.0', { name: '@slack/webhook', version: '5.0.0', subpath: '' }],
    ['lodash@4.17.21/get', { name: 'lodash', version: '4.17.21', subpath: '/get' }],
    ['node:crypto', { name: 'crypto', version: undefined, subpath: '' }],
  ])('%s', (specifier, parsed) => {
    expect(parseSpecifier(specifier)).toEqual(parsed);
  });
});
