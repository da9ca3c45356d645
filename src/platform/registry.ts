/**
 * Every connector Spokes ships, on the platform contract
 * (src/platform/connector.ts), in one hand-written registry keyed by slug
 * (STYLE.md rule 3). Sansan, booking and Salesforce are one line each here.
 */
import type { AnyConnector } from './connector.ts';
import { telephony } from '../connectors/telephony/index.ts';
import { sansan } from '../connectors/sansan/index.ts';
import { booking } from '../connectors/booking/index.ts';

export const platformConnectors = { telephony, sansan, booking } satisfies Record<string, AnyConnector>;

export type ConnectorSlug = keyof typeof platformConnectors;

export const platformConnectorList: readonly AnyConnector[] = Object.values(platformConnectors);
