/**
 * Phone numbers as PBXs present them and as people type them into HubSpot,
 * turned into one comparable form (shared/reference/pbx-apis.md §4.2):
 * E.164 when libphonenumber-js (`max` metadata, which knows validity) says the
 * number is valid, plus the last digits (`tail`) for the fallback match of
 * numbers that do not parse (stored without a country code, fictional ranges…).
 * Pure and synchronous: the same function indexes HubSpot's numbers and reads
 * a caller's, so both sides always agree.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';

export interface NormalizedPhone {
  /** E.164 (`+4930123456`) when the number is valid; null when it only has digits to compare. */
  e164: string | null;
  /** The last {@link TAIL_LENGTH} digits (fewer for short numbers), for the fallback match. */
  tail: string;
  /** Every digit of the number without its extension (E.164 digits when it parsed). */
  digits: string;
  /** An extension that was written after the number (`x12`, `ext. 12`, `;ext=12`, `#12`…). */
  extension: string | null;
  /** ISO region of a valid number. */
  country: string | null;
}

/** §4.3: the fallback compares the last 9 digits, and only for numbers of at least 10 digits. */
export const TAIL_LENGTH = 9;
export const TAIL_MIN_DIGITS = TAIL_LENGTH + 1;

/** §4.2 step 1: caller ids that are not numbers (withheld, unknown…) never match anything. */
const WITHHELD =
  /^(?:anonymous|anonym|unknown|unavailable|not available|private|private number|restricted|withheld|blocked|no caller id|no number|none|null|undefined|n\/a|-+)$/i;

/**
 * Extensions and post-dial digits at the end: `;ext=12` (RFC 3966), `ext. 12`, `extension 12`,
 * `x12`, `#12`, `,12` (pause), `p12`/`w12` (dial-string pause/wait), and common local words
 * (German `Durchwahl`/`DW`, French `poste`, Italian `interno`, Japanese 内線).
 */
const EXTENSION =
  /\s*(?:;\s*ext\s*=\s*|(?:ext(?:ension)?|durchwahl|dw|nebenstelle|poste|interno|int|内線)\s*\.?\s*:?\s*|x\.?\s*|#\s*|,+\s*|;\s*|[pw]+\s*)(\d{1,10})\s*#?\s*$/i;

/** What may surround the digits of a phone number; anything else (letters) means it is not one. */
const NUMBER_CHARS = /^\+?[\d\s\-./()\u00a0\u2010-\u2015]+$/;

/** An unsupported or malformed region is no region: numbers then only parse in international form. */
export function regionOrUndefined(region: string | null | undefined): CountryCode | undefined {
  if (!region) return undefined;
  const upper = region.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(upper) && isSupportedCountry(upper) ? (upper as CountryCode) : undefined;
}

/** Whether a caller id is withheld or not a number at all (never matched, never auto-created). */
export function isWithheld(raw: string | null | undefined): boolean {
  return normalizePhone(raw, undefined) === null;
}

/**
 * Normalises one phone number. Returns null for empty, withheld and non-numeric
 * input (`anonymous`, `call me`, `0000`).
 */
export function normalizePhone(raw: string | null | undefined, defaultRegion: string | null | undefined): NormalizedPhone | null {
  if (raw === null || raw === undefined) return null;
  let text = raw.normalize('NFKC').trim();
  if (text === '' || WITHHELD.test(text)) return null;
  text = stripUri(text);

  let extension: string | null = null;
  const ext = EXTENSION.exec(text);
  if (ext && /\d/.test(text.slice(0, ext.index))) {
    extension = ext[1]!;
    text = text.slice(0, ext.index).trim();
  }
  if (!NUMBER_CHARS.test(text)) return null;

  const region = regionOrUndefined(defaultRegion);
  const parsed = parseValid(text, region);
  if (parsed) {
    const digits = parsed.number.slice(1);
    return { e164: parsed.number, tail: digits.slice(-TAIL_LENGTH), digits, extension, country: parsed.country ?? null };
  }
  // §4.2 step 7: not valid, keep the digits (a written "(0)" is no digit of the number).
  const digits = text.replace(/\(\s*0\s*\)/g, '').replace(/\D/g, '');
  if (digits.length < 3 || /^0+$/.test(digits)) return null;
  return { e164: null, tail: digits.slice(-TAIL_LENGTH), digits, extension, country: null };
}

/**
 * §4.2 steps 5–7 through the library, which knows each region's exit code (`011` in NANP,
 * `0011` in AU, `010` in JP…) and trunk prefix, keeps Italy's leading 0 and drops a written
 * `(0)` after a country code. `00` is the exit code almost everywhere, so a number starting
 * with it is also tried as `+…` when the default region's own rules do not make it valid.
 */
function parseValid(text: string, region: CountryCode | undefined): PhoneNumber | undefined {
  const first = parse(text, region);
  if (first?.isValid()) return first;
  if (/^00[1-9]/.test(text.replace(/[\s\-./()]/g, ''))) {
    const international = parse(`+${text.replace(/^[\s\-./()]*0[\s\-./()]*0/, '')}`, region);
    if (international?.isValid()) return international;
  }
  return undefined;
}

function parse(text: string, region: CountryCode | undefined): PhoneNumber | undefined {
  // `extract: false`: the whole text is the number (no picking a number out of prose).
  return parsePhoneNumberFromString(text, region ? { defaultCountry: region, extract: false } : { extract: false });
}

/** `tel:+1-415-555-0100`, `sip:+4930123@pbx.example;user=phone` → the number part. */
function stripUri(text: string): string {
  const uri = /^(?:tel|sips?):(.*)$/i.exec(text);
  if (!uri) return text;
  return uri[1]!.split('@')[0]!.split(';')[0]!.trim();
}
