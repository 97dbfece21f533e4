import type { ConnectorPlugin } from '../src/hookline/connectors/sdk';
import { webhookConnector } from './webhook/webhook.connector';

/** The built-in connectors. Adding one: a folder beside this file and one line here. */
export const BUILTIN_CONNECTORS: readonly ConnectorPlugin<any>[] = [webhookConnector]; // eslint-disable-line @typescript-eslint/no-explicit-any
