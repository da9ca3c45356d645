/**
 * Connectors on the platform contract (src/platform/connector.ts), in one
 * hand-written registry keyed by slug (STYLE.md rule 3). Empty until phase 2
 * of issue 11 moves telephony onto the contract; then this object and
 * `src/connectors/index.ts` become one. Sansan, booking and Salesforce are
 * one line each here.
 */
import type { AnyConnector } from './connector.ts';
import { booking } from '../connectors/booking/index.ts';

export const platformConnectors = { booking } satisfies Record<string, AnyConnector>;

export const platformConnectorList: readonly AnyConnector[] = Object.values(platformConnectors);
