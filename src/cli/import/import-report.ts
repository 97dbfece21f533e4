import type { Auth0Export } from './auth0-export';
import type { ImportedScript } from './import-plan';

/** The import's report: per script what it needs, then the next steps. */
export function formatImportReport(exported: Auth0Export, tenant: string, imported: ImportedScript[], outDir: string): string {
  const lines = [`Read ${exported.scripts.length} Post User Registration script(s) from the ${exported.form} export into tenant ${tenant}:`, ''];
  for (const { script, entryName, path, report } of imported) {
    lines.push(`${entryName} (Auth0 ${script.kind} "${script.name}", ${script.enabled ? 'enabled' : 'disabled'}) -> ${outDir}/${path}`);
    if (report.status === 'unchanged') lines.push('  runs unchanged');
    for (const { name, range } of report.installs) lines.push(`  needs: npm i ${name}@${range === '*' ? 'latest' : JSON.stringify(range)}${range === '*' ? ' (Auth0 recorded no version)' : ''}`);
    for (const { line, message } of report.unsupported) lines.push(`  unsupported${line ? ` (line ${line})` : ''}: ${message}`);
    for (const note of report.notes) lines.push(`  note: ${note}`);
    if (report.hosts.length > 0) lines.push(`  allowHosts suggestion: ${report.hosts.join(', ')}`);
  }
  for (const skipped of exported.skipped) lines.push(`skipped ${skipped}: not a Post User Registration script`);
  const installs = [...new Set(imported.flatMap((i) => i.report.installs.map(({ name, range }) => (range === '*' ? name : `${name}@${JSON.stringify(range)}`))))];
  const unchanged = imported.filter((i) => i.report.status === 'unchanged').length;
  lines.push('', `${imported.length} script(s): ${unchanged} run unchanged, ${imported.length - unchanged} need work.`);
  lines.push(`Wrote ${outDir}/hookline.yaml, ${outDir}/.env.example and ${imported.length} script(s).`);
  lines.push('Next:');
  if (installs.length > 0) lines.push(`  (cd ${outDir} && npm i ${installs.join(' ')})`);
  if (imported.some((i) => Object.keys(i.env).length > 0)) lines.push(`  set the variables of ${outDir}/.env.example`);
  lines.push(`  hookline validate ${outDir}/hookline.yaml`);
  return lines.join('\n') + '\n';
}
