/**
 * Small pieces shared by the record pages. Phone numbers are elements with data
 * attributes so a later click-to-dial script can find and wire them.
 */
import { calculatePhone } from '../model/phone-properties.ts';
import type { ObjectTypeName } from '../model/object-types.ts';
import { html, type SafeHtml } from './layout.ts';

export interface RecordRef {
  type: ObjectTypeName;
  id: number;
}

/** `e164` should be the record's calculated number when it has one (it knows the country). */
export function phoneLink(
  raw: string,
  context: { property: string; objectTypeId: string; objectId: number; e164?: string },
  defaultRegion: 'US' | string = 'US',
): SafeHtml {
  const e164 = context.e164 || calculatePhone(raw, defaultRegion as never).e164;
  return html`<a class="phone" href="${e164 ? `tel:${e164}` : `tel:${raw.replace(/[^\d+]/g, '')}`}" data-phone-number="${raw}" data-e164="${e164}" data-property="${context.property}" data-object-type-id="${context.objectTypeId}" data-object-id="${context.objectId}">${raw}</a>`;
}

export function recordUrl(portalId: number, typeId: string, id: number): string {
  return `/contacts/${portalId}/record/${typeId}/${id}`;
}
