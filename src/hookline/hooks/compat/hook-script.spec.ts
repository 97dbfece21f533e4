import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseHookSource, readHookScript } from './hook-script';

describe('a hook script is analysed once', () => {
  it('readHookScript hands the sandbox its prepared form: the wrapper and the modules its context needs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-script-'));
    const path = join(dir, 'hook.js');
    writeFileSync(path, "const axios = require('axios@0.19.0');\nmodule.exports = async (user) => axios.post('https://x.example', user);\n");
    const script = readHookScript(path, 'hook.js');
    expect(script.prepared?.code).toMatch(/^\(function \(exports, require, module, __filename, __dirname\) \{/);
    expect(script.prepared?.modules).toEqual(['axios']);
    expect(script.warnings).toEqual([expect.stringMatching(/^hook\.js:1:15: require\('axios@0\.19\.0'\)/)]);
  });

  it('gives code, modules and problems from one pass over the source', () => {
    const analysis = analyseHookSource("export default async function () { require('lodash'); require('aws-sdk'); }\n", 'esm.mjs');
    expect(analysis.code).toContain('module.exports');
    expect(analysis.modules).toEqual(['lodash']);
    expect(analysis.refs.map((r) => r.specifier)).toEqual(['lodash', 'aws-sdk']);
    expect(analysis.problems).toEqual([expect.objectContaining({ severity: 'warning', code: 'CONDITIONAL_REQUIRE_NOT_SUPPORTED', specifier: 'aws-sdk' })]);
  });
});
