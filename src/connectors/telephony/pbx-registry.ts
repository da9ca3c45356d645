/**
 * The process's PBX adapter, built from the stored connection on first use and
 * rebuilt when the connection changes. One adapter per process means one PBX
 * token per process (the PBX allows 8 at once; Spokes' processes stay well under).
 */
import type { Logger } from '../../logger.ts';
import type { AddressPolicy } from '../../net/address-policy.ts';
import { NotConnectedError } from '../../errors.ts';
import type { PbxAdapter } from './pbx.ts';
import type { PbxCredentials, PbxStore } from './pbx-store.ts';
import { createYeastarAdapter, type YeastarAdapter } from './yeastar/index.ts';

export type ConnectedAdapter = PbxAdapter & Partial<Pick<YeastarAdapter, 'verifyWebhook' | 'parseWebhook'>>;

/** Builds the adapter for a vendor (T11: one line per vendor); every connection it makes is under `addresses`. */
export function createAdapter(credentials: PbxCredentials, log: Logger, addresses: AddressPolicy): ConnectedAdapter {
  switch (credentials.vendor) {
    case 'yeastar':
      return createYeastarAdapter({
        baseUrl: credentials.baseUrl,
        clientId: credentials.clientId,
        clientSecret: credentials.clientSecret,
        webhookSecret: credentials.webhookSecret ?? undefined,
        log,
        addresses,
      });
  }
}

export class PbxRegistry {
  readonly #store: PbxStore;
  readonly #log: Logger;
  /** Which addresses a PBX may be at (the operator's SPOKES_PBX_ADDRESSES). */
  readonly addresses: AddressPolicy;
  #current: { key: string; adapter: ConnectedAdapter } | undefined;

  constructor(store: PbxStore, log: Logger, addresses: AddressPolicy) {
    this.#store = store;
    this.#log = log;
    this.addresses = addresses;
  }

  /** The adapter for the stored connection; throws NotConnectedError when there is none. */
  async adapter(): Promise<ConnectedAdapter> {
    const connection = await this.#store.get();
    if (!connection) {
      await this.reset();
      throw new NotConnectedError('The phone system is not connected: connect it on the Phone system page of the Spokes admin.');
    }
    const key = [connection.vendor, connection.baseUrl, connection.clientId, connection.clientSecret, connection.webhookSecret ?? ''].join('\u0000');
    if (this.#current?.key !== key) {
      await this.reset();
      this.#current = { key, adapter: createAdapter(connection, this.#log, this.addresses) };
    }
    return this.#current.adapter;
  }

  /** Disposes the adapter (gives the PBX its token back). */
  async reset(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    await current?.adapter.dispose().catch((err: unknown) => this.#log.warn({ err: (err as Error).message }, 'could not release the PBX token'));
  }
}
