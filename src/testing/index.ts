/**
 * `hookline/testing`: run a hook script or a connector in your own tests, through the same sandbox and
 * HTTP client as production.
 */
export { runHook, runHookSource, type HookRunResult, type RunHookOptions } from './run-hook';
export { runConnector, type ConnectorRunResult, type RunConnectorOptions } from './run-connector';
