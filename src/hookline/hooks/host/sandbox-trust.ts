import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/**
 * The variables of the app's environment that decide TLS trust, where Node honours them: the only ones a
 * sandbox worker inherits (hooks never see the environment, and the rest of it stays out of the worker).
 */
const TRUST_ENV_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'] as const;

/** Node flags that pick the certificate store: passed on to the worker when the app runs with them. */
const TRUST_FLAGS = /^--(use-openssl-ca|use-bundled-ca|use-system-ca|openssl-shared-config)$/;

/** The environment of a sandbox worker: the TLS trust variables of `env`, nothing else. */
export function workerEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TRUST_ENV_VARIABLES) {
    const value = env[name];
    if (typeof value === 'string' && value !== '') out[name] = value;
  }
  return out;
}

/** The certificate-store flags the app runs with (its own `execArgv` and `NODE_OPTIONS`), for the worker's `execArgv`. */
export function workerTrustFlags(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const flags = [...execArgv, ...nodeOptions.split(/\s+/)].filter((flag) => TRUST_FLAGS.test(flag));
  return [...new Set(flags)];
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** An invalid `ca` option: the message names where it came from and what was expected. */
class SandboxCaError extends Error {
  override readonly name = 'SandboxCaError';
}

/**
 * `sandbox.ca`: PEM text (one or more certificates), or the path of a PEM file (relative to `baseDir`).
 * Returns the certificates as PEM text; throws SandboxCaError naming `field` when there is none.
 */
export function readCaOption(value: string, baseDir: string, field = 'sandbox.ca'): string {
  let text = value;
  let from = field;
  if (!value.includes('-----BEGIN')) {
    const path = isAbsolute(value) ? value : resolve(baseDir, value);
    from = `${field} (${value})`;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new SandboxCaError(`${field}: cannot read ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; expected PEM text or the path of a PEM file`);
    }
  }
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new SandboxCaError(`${from}: expected one or more PEM certificates (-----BEGIN CERTIFICATE-----)`);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new SandboxCaError(`${from}: certificate ${i + 1} cannot be read: ${(error as Error).message}`);
    }
  });
  return blocks.join('\n') + '\n';
}

/** A stable id of a set of extra CA certificates: a worker gets each set's PEM once. */
export function caId(pem: string): string {
  return createHash('sha256').update(pem).digest('hex').slice(0, 32);
}
