/**
 * Validates and normalises property values on write (reference §2.1, §2.4, §9):
 * unknown and read-only properties, enumeration options, numbers, dates, booleans
 * and e-mails fail with HubSpot's `VALIDATION_ERROR` "Property values were not valid: […]".
 */
import { validationError, type HubSpotApiError } from '../errors.ts';
import { formatDate, formatInstant, parseDate, parseDateTime } from '../time-format.ts';
import type { PropertyDefinition, PropertyOption } from './property-definitions.ts';

export interface PropertyValidationResult {
  isValid: false;
  message: string;
  error: string;
  name: string;
  localizedErrorMessage: string;
  portalId: number;
}

export interface ValueContext {
  portalId: number;
  lookup(name: string): PropertyDefinition | undefined;
  ownerExists(ownerId: string): boolean;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Returns the values to store (strings; `''` clears a value) or throws the 400.
 * JSON numbers and booleans are accepted and stringified (§2.4).
 */
export function normalisePropertyValues(input: Record<string, unknown>, context: ValueContext): Record<string, string> {
  const problems: PropertyValidationResult[] = [];
  const output: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input)) {
    const problem = (error: string, message: string) =>
      problems.push({ isValid: false, message, error, name, localizedErrorMessage: message, portalId: context.portalId });
    const definition = context.lookup(name);
    if (!definition || definition.archived) {
      problem('PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`);
      continue;
    }
    if (definition.readOnlyValue) {
      problem('READ_ONLY_VALUE', `"${name}" is a read only property; its value cannot be set.`);
      continue;
    }
    if (raw !== null && typeof raw === 'object') {
      problem('INVALID_VALUE', `${JSON.stringify(raw)} is not a valid value for property ${name}.`);
      continue;
    }
    const text = raw === null || raw === undefined ? '' : String(raw);
    if (text === '') {
      output[name] = '';
      continue;
    }
    const result = normaliseOne(definition, text, context);
    if ('error' in result) problem(result.error, result.message);
    else output[name] = result.value;
  }
  if (problems.length > 0) throw propertyValuesError(problems);
  return output;
}

/**
 * The 400 for bad property values: the problems as JSON inside `message`, and again as `errors[]`
 * `{message, code, context: {propertyName: [name]}}`, the form observed in HubSpot's current answers
 * (docs/sandbox/hubspot.md, "Objects").
 */
export function propertyValuesError(problems: PropertyValidationResult[]): HubSpotApiError & { problems: PropertyValidationResult[] } {
  const error = validationError(`Property values were not valid: ${JSON.stringify(problems)}`, {
    errors: problems.map((p) => ({ message: p.message, code: p.error, context: { propertyName: [p.name] } })),
  });
  // Kept so a batch can answer one 400 listing every input's problems (routes-objects-batch.ts).
  return Object.assign(error, { problems });
}

/** The problems of a bad-values 400, if `error` is one. */
export function problemsOf(error: unknown): PropertyValidationResult[] | undefined {
  const problems = (error as { problems?: unknown } | null)?.problems;
  return Array.isArray(problems) ? (problems as PropertyValidationResult[]) : undefined;
}

/** HubSpot lists an enumeration's options as protobuf text, not as plain values (observed capture). */
function optionsText(options: PropertyOption[]): string {
  const one = (o: PropertyOption) =>
    `label: ${JSON.stringify(o.label)}\nvalue: ${JSON.stringify(o.value)}\ndisplay_order: ${o.displayOrder}\ndouble_data: 0.0\nhidden: ${o.hidden}\ndescription: ${JSON.stringify(o.description ?? '')}\nread_only: false\n`;
  return `[${options.map(one).join(', ')}]`;
}

type Normalised = { value: string } | { error: string; message: string };

function normaliseOne(definition: PropertyDefinition, text: string, context: ValueContext): Normalised {
  if (definition.name === 'hubspot_owner_id') {
    if (!/^\d+$/.test(text.trim())) return { error: 'INVALID_INTEGER', message: `${text} was not a valid integer (for owner ID).` };
    if (!context.ownerExists(text.trim())) return { error: 'INVALID_OWNER_ID', message: `${text} is not a valid owner id` };
    return { value: text.trim() };
  }
  if (definition.textDisplayHint === 'email' && definition.name === 'email') {
    const email = text.trim().toLowerCase();
    return EMAIL_PATTERN.test(email) ? { value: email } : { error: 'INVALID_EMAIL', message: `Email address ${text} is invalid` };
  }
  switch (definition.type) {
    case 'number': {
      const trimmed = text.trim();
      if (/^-?\d+$/.test(trimmed)) return { value: trimmed };
      if (/^-?\d*\.\d+$/.test(trimmed) || /^-?\d+(\.\d+)?[eE][+-]?\d+$/.test(trimmed)) return { value: trimmed };
      return trimmed.includes('.')
        ? { error: 'INVALID_DOUBLE', message: `${text} was not a valid double.` }
        : { error: 'INVALID_LONG', message: `${text} was not a valid long.` };
    }
    case 'datetime': {
      const ms = parseDateTime(text);
      return ms === null ? { error: 'INVALID_DATETIME', message: `${text} was not a valid datetime.` } : { value: formatInstant(ms) };
    }
    case 'date': {
      const ms = parseDate(text);
      if (ms === null) return { error: 'INVALID_DATE', message: `${text} was not a valid date.` };
      const sinceMidnight = ((ms % 86_400_000) + 86_400_000) % 86_400_000;
      if (sinceMidnight !== 0) {
        const t = new Date(ms);
        return {
          error: 'INVALID_DATE',
          message: `${text} is at ${t.getUTCHours()}:${t.getUTCMinutes()}:${t.getUTCSeconds()}.${t.getUTCMilliseconds()} UTC, not midnight!`,
        };
      }
      return { value: formatDate(ms) };
    }
    case 'bool': {
      const lowered = text.trim().toLowerCase();
      return lowered === 'true' || lowered === 'false'
        ? { value: lowered }
        : { error: 'INVALID_OPTION', message: `${text} was not one of the allowed options: [true, false]` };
    }
    case 'enumeration': {
      if (definition.externalOptions) return { value: text };
      const allowed = definition.options.map((o) => o.value);
      const multi = definition.fieldType === 'checkbox';
      const values = multi ? text.split(';') : [text];
      const bad = values.find((v) => !allowed.includes(v));
      if (bad !== undefined) return { error: 'INVALID_OPTION', message: `${bad} was not one of the allowed options: ${optionsText(definition.options)}` };
      return { value: text };
    }
    default:
      return { value: text };
  }
}
