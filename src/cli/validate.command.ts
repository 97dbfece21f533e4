import { resolve } from 'node:path';
import { BUILTIN_CONNECTORS } from '../../connectors';
import { loadConfigFile } from '../hookline/config/config.loader';
import { ConnectorRegistry } from '../hookline/connectors/connector.registry';
import { DEFAULT_RETRY } from '../hookline/core/retry/retry.policy';
import { ConfigInvalidError } from '../hookline/core/errors/config-invalid.error';
import { DEFAULTS } from '../hookline/hookline.options';
import { createHookPlugin } from '../hookline/hooks/hook.plugin';
import { SandboxPool } from '../hookline/hooks/host/sandbox.pool';
import { EXIT } from './usage.error';

/**
 * `hookline validate`: loads a config with the module's own loader and plugins (hook scripts are
 * syntax-checked, not run: the sandbox pool is never started) and prints a summary or every error.
 */
export async function validateCommand(file: string, cwd: string): Promise<number> {
  const sandbox = new SandboxPool({ size: 1 });
  const registry = new ConnectorRegistry([...BUILTIN_CONNECTORS, createHookPlugin(sandbox)]);
  try {
    const config = loadConfigFile(resolve(cwd, file), {
      registry,
      defaults: { retry: { ...DEFAULT_RETRY }, timeoutMs: DEFAULTS.defaultTimeoutMs },
    });
    const enabled = config.consumers.size;
    const lines = [
      `${file} is valid: ${config.tenantIds.length} tenant(s), ${enabled} consumer(s) enabled, ${config.disabled.length} disabled`,
    ];
    for (const tenant of config.tenantIds) {
      const consumers = config.tenants.get(tenant) ?? [];
      const disabled = config.disabled.filter((id) => id.startsWith(`${tenant}/`));
      lines.push(`  ${tenant}:`);
      for (const c of consumers) {
        lines.push(`    ${c.id} (timeout ${c.timeoutMs} ms, ${c.retry.maxAttempts} attempts)`);
        for (const warning of config.warnings.filter((w) => w.consumerId === c.id)) lines.push(`      warning: ${warning.message}`);
      }
      for (const id of disabled) lines.push(`    ${id} (disabled)`);
      if (consumers.length + disabled.length === 0) lines.push('    (no consumers)');
    }
    process.stdout.write(lines.join('\n') + '\n');
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof ConfigInvalidError)) throw error;
    process.stderr.write(error.message.replace(resolve(cwd, file), file) + '\n');
    return EXIT.failed;
  } finally {
    await sandbox.close();
  }
}
