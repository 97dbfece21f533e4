/** One problem of a config, at its path. */
export interface ConfigIssue {
  /** Path inside the config, e.g. `tenants.acme.connectors[1].url`. */
  path: string;
  message: string;
}
