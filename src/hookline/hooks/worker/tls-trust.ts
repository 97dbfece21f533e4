import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';

type GetCaCertificates = (type?: 'default' | 'bundled' | 'system' | 'extra') => string[];

/**
 * The certificates Node trusts by default in this process: its bundled roots, `NODE_EXTRA_CA_CERTS`
 * and, with `--use-system-ca`, the system's (`tls.getCACertificates('default')`, Node 22.15+). On older
 * Nodes, the bundled roots plus the extra file, read here.
 */
function defaultCertificates(): string[] {
  const get = (tls as unknown as { getCACertificates?: GetCaCertificates }).getCACertificates;
  if (typeof get === 'function') return get('default');
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  let extraPem: string[] = [];
  if (extra) {
    try {
      extraPem = readFileSync(extra, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    } catch {
      // Node itself warns at start-up about an unreadable NODE_EXTRA_CA_CERTS.
    }
  }
  return [...tls.rootCertificates, ...extraPem];
}

/**
 * TLS contexts of the extra CA sets the pool sent (`sandbox.ca`), by id: built once each. A request
 * with one trusts Node's default certificates plus those (an explicit `ca` would otherwise replace them).
 */
export class TrustStore {
  private readonly pem = new Map<string, string>();
  private readonly contexts = new Map<string, tls.SecureContext>();

  add(id: string, pem: string): void {
    if (!this.pem.has(id)) this.pem.set(id, pem);
  }

  /** The context for an id, or undefined when there is none (Node's default trust applies). */
  context(id: string | undefined): tls.SecureContext | undefined {
    if (!id) return undefined;
    let context = this.contexts.get(id);
    const pem = this.pem.get(id);
    if (!context && pem) {
      context = tls.createSecureContext({ ca: [...defaultCertificates(), pem] });
      this.contexts.set(id, context);
    }
    return context;
  }
}
