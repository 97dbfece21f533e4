/**
 * The `hookline` package: the module (src/hookline) with the built-in connectors (connectors/) registered.
 * Connector authors import `hookline/sdk`.
 */
import { BUILTIN_CONNECTORS } from '../connectors';
import { registerBuiltinConnectors } from './hookline/connectors/builtin-connectors';

registerBuiltinConnectors(BUILTIN_CONNECTORS);

// The module's own barrel lists its public API by name; nothing else is exported from here.
export * from './hookline';
