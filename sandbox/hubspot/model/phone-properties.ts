/**
 * HubSpot's calculated phone properties (reference §3.1), derived with libphonenumber-js:
 * - `hs_calculated_phone_number`: E.164 (`+18884827768`), empty when the number is not valid;
 * - `…_country_code`: ISO-2 region (`US`); `…_area_code`: leading national digits where known;
 * - `hs_searchable_calculated_phone_number`: national digits without the country code
 *   (observed: `00004` → `4`, i.e. unparseable input keeps its digits minus leading zeros);
 * - `hs_searchable_calculated_international_phone_number`: country code + national digits.
 * The mobile variants derive from `mobilephone` the same way.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

const COUNTRY_NAMES: Record<string, CountryCode> = {
  'united states': 'US',
  usa: 'US',
  us: 'US',
  'united states of america': 'US',
  canada: 'CA',
  'united kingdom': 'GB',
  uk: 'GB',
  'great britain': 'GB',
  england: 'GB',
  ireland: 'IE',
  germany: 'DE',
  deutschland: 'DE',
  france: 'FR',
  spain: 'ES',
  españa: 'ES',
  italy: 'IT',
  italia: 'IT',
  netherlands: 'NL',
  'the netherlands': 'NL',
  belgium: 'BE',
  switzerland: 'CH',
  austria: 'AT',
  poland: 'PL',
  polska: 'PL',
  sweden: 'SE',
  norway: 'NO',
  denmark: 'DK',
  finland: 'FI',
  portugal: 'PT',
  japan: 'JP',
  日本: 'JP',
  china: 'CN',
  'hong kong': 'HK',
  singapore: 'SG',
  thailand: 'TH',
  india: 'IN',
  australia: 'AU',
  'new zealand': 'NZ',
  brazil: 'BR',
  brasil: 'BR',
  mexico: 'MX',
  méxico: 'MX',
  argentina: 'AR',
  'south africa': 'ZA',
  korea: 'KR',
  'south korea': 'KR',
};

/** Resolves a contact's `country` value (ISO-2 or a common name) to a region, if we know it. */
export function regionFromCountry(country: string | undefined): CountryCode | undefined {
  if (!country) return undefined;
  const trimmed = country.trim();
  if (/^[A-Za-z]{2}$/.test(trimmed) && isSupportedCountry(trimmed.toUpperCase())) return trimmed.toUpperCase() as CountryCode;
  return COUNTRY_NAMES[trimmed.toLowerCase()];
}

export interface CalculatedPhone {
  e164: string;
  countryCode: string;
  areaCode: string;
  searchable: string;
  international: string;
}

export function calculatePhone(raw: string, defaultRegion: CountryCode): CalculatedPhone {
  const cleaned = raw.trim().replace(/^00(?=\d)/, '+');
  const parsed = parsePhoneNumberFromString(cleaned, defaultRegion);
  if (parsed && parsed.isValid()) {
    const national = String(parsed.nationalNumber);
    return {
      e164: String(parsed.number),
      countryCode: parsed.country ?? '',
      areaCode: parsed.countryCallingCode === '1' ? national.slice(0, 3) : '',
      searchable: national,
      international: `${parsed.countryCallingCode}${national}`,
    };
  }
  const digits = raw
    .split(/(?:ext\.?|x|#)/i)[0]
    .replace(/\D/g, '')
    .replace(/^0+/, '');
  return { e164: '', countryCode: '', areaCode: '', searchable: digits, international: digits };
}

const PHONE_SOURCES: Array<{ source: string; base: string; searchable: string; international: string }> = [
  {
    source: 'phone',
    base: 'hs_calculated_phone_number',
    searchable: 'hs_searchable_calculated_phone_number',
    international: 'hs_searchable_calculated_international_phone_number',
  },
  {
    source: 'mobilephone',
    base: 'hs_calculated_mobile_number',
    searchable: 'hs_searchable_calculated_mobile_number',
    international: 'hs_searchable_calculated_international_mobile_number',
  },
];

/** Names of every calculated phone property (they are read-only). */
export const CALCULATED_PHONE_PROPERTIES = PHONE_SOURCES.flatMap((s) => [
  s.base,
  `${s.base}_country_code`,
  `${s.base}_area_code`,
  s.searchable,
  s.international,
]);

/**
 * Recomputes the calculated properties in place when a source (or `country`) changed.
 * Returns the names that changed so callers can maintain indexes and emit events.
 */
export function applyCalculatedPhones(properties: Record<string, string>, changed: Iterable<string>, defaultRegion: CountryCode, hasMobile: boolean): string[] {
  const touched = new Set(changed);
  const updated: string[] = [];
  const region = regionFromCountry(properties.country) ?? defaultRegion;
  for (const spec of PHONE_SOURCES) {
    if (spec.source === 'mobilephone' && !hasMobile) continue;
    if (!touched.has(spec.source) && !touched.has('country')) continue;
    const raw = properties[spec.source];
    const calc: CalculatedPhone | undefined = raw ? calculatePhone(raw, region) : undefined;
    const next: Record<string, string> = {
      [spec.base]: calc?.e164 ?? '',
      [`${spec.base}_country_code`]: calc?.countryCode ?? '',
      [`${spec.base}_area_code`]: calc?.areaCode ?? '',
      [spec.searchable]: calc?.searchable ?? '',
      [spec.international]: calc?.international ?? '',
    };
    for (const [name, value] of Object.entries(next)) {
      if ((properties[name] ?? '') === value) continue;
      if (value === '') delete properties[name];
      else properties[name] = value;
      updated.push(name);
    }
  }
  return updated;
}
