/**
 * CRM change events. The object and association services publish them; the webhook
 * dispatcher turns them into deliveries for apps installed in the portal (§10).
 */
import type { ObjectTypeName } from '../model/object-types.ts';

export interface CrmChangeEvent {
  portalId: number;
  objectType: ObjectTypeName;
  objectId: number;
  kind: 'creation' | 'deletion' | 'propertyChange' | 'associationChange';
  propertyName?: string;
  propertyValue?: string;
  occurredAt: number;
  /** §10.1: `API`, `CRM_UI`, `IMPORT`… */
  changeSource: string;
  /** The app whose token made the change, if any (HubSpot reports its own writes too). */
  sourceAppId?: number;
  /** associationChange events only (§10.1, field set UNCONFIRMED). */
  association?: {
    associationType: string;
    fromObjectId: number;
    toObjectId: number;
    associationRemoved: boolean;
    isPrimaryAssociation: boolean;
  };
}

export class CrmEvents {
  private readonly listeners: Array<(event: CrmChangeEvent) => void> = [];

  on(listener: (event: CrmChangeEvent) => void): void {
    this.listeners.push(listener);
  }

  emit(event: CrmChangeEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** Who is writing: the API on behalf of an app/private app, the record page, or a seed. */
export interface WriteSource {
  changeSource: string;
  appId?: number;
  userId?: number;
}

export const API_SOURCE: WriteSource = { changeSource: 'API' };
