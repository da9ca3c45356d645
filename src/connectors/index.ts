/**
 * Every connector Spokes ships, in one hand-written registry (STYLE.md rule 3).
 */
import type { Connector } from './connector.ts';
import { telephony } from './telephony/index.ts';

export const connectors = { telephony } satisfies Record<string, Connector>;

export type ConnectorSlug = keyof typeof connectors;

export const connectorList: Connector[] = Object.values(connectors);
