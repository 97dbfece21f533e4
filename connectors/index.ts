import type { ConnectorPlugin } from 'hookline/sdk';
import { hubspotConnector } from './hubspot/hubspot.connector';
import { slackConnector } from './slack/slack.connector';
import { webhookConnector } from './webhook/webhook.connector';

/** The built-in connectors. Adding one: a folder beside this file and one line here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const BUILTIN_CONNECTORS: readonly ConnectorPlugin<any>[] = [
  webhookConnector,
  slackConnector,
  hubspotConnector,
];
