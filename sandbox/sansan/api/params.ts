import { parseIsoWithOffset } from '../clock.ts';
import { badRequest, type ApiErrorItem } from './errors.ts';

/**
 * Reads query parameters the way the Open API documents them and collects every
 * problem, so one 400 names each parameter at fault. Repeatable parameters
 * (`entryStatus`, `type`, `tagId`) are given once per value (`?type=public&type=shared`).
 */
export class QueryReader {
  readonly errors: ApiErrorItem[] = [];
  private readonly params: URLSearchParams;

  constructor(url: string) {
    const q = url.indexOf('?');
    this.params = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '');
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  fail(field: string, code: string, message: string): undefined {
    this.errors.push({ code, field, message });
    return undefined;
  }

  /** A single-valued parameter; undefined when absent. */
  string(name: string, options: { max?: number; required?: boolean } = {}): string | undefined {
    const values = this.params.getAll(name);
    if (values.length === 0) {
      if (options.required) this.fail(name, 'required', `${name} is required.`);
      return undefined;
    }
    if (values.length > 1) return this.fail(name, 'invalid', `${name} must be given once.`);
    const value = values[0];
    if (value === '') {
      if (options.required) return this.fail(name, 'required', `${name} is required.`);
      return this.fail(name, 'invalid', `${name} must not be empty.`);
    }
    if (options.max !== undefined && value.length > options.max) {
      return this.fail(name, 'invalid', `${name} must be at most ${options.max} characters.`);
    }
    return value;
  }

  bool(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    return this.fail(name, 'invalid', `${name} must be true or false.`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    return this.fail(name, 'invalid', `${name} must be one of ${allowed.join(', ')}.`);
  }

  /** A repeatable parameter; sorted and without duplicates, undefined when absent. */
  many<T extends string>(name: string, allowed?: readonly T[]): T[] | undefined {
    const values = this.params.getAll(name);
    if (values.length === 0) return undefined;
    const bad = allowed ? values.filter((v) => !(allowed as readonly string[]).includes(v)) : values.filter((v) => v === '');
    if (bad.length) {
      return this.fail(name, 'invalid', allowed ? `${name} must be one of ${allowed.join(', ')} (got ${bad.join(', ')}).` : `${name} must not be empty.`);
    }
    return [...new Set(values)].sort() as T[];
  }

  int(name: string, min: number, max: number): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      return this.fail(name, 'invalid', `${name} must be an integer from ${min} to ${max}.`);
    }
    return Number(value);
  }

  /** ISO 8601 with an offset; a `+` sent unencoded arrives as a space, which the message points out. */
  time(name: string, required: boolean): number | undefined {
    const value = this.string(name, { required });
    if (value === undefined) return undefined;
    const ms = parseIsoWithOffset(value);
    if (ms !== undefined) return ms;
    const hint = / \d{2}:?\d{2}$/.test(value) ? ' (a "+" in a query string must be sent as %2B)' : '';
    return this.fail(name, 'invalid', `${name} must be an ISO 8601 date-time with an offset, e.g. 2024-01-01T00:00:00+09:00${hint}.`);
  }

  /** Throws the collected 400, if any. */
  done(): void {
    if (this.errors.length) throw badRequest(this.errors);
  }
}
