/**
 * Phone number normalisation (pbx-apis.md §4.2): what a PBX or a person writes
 * becomes one E.164 (or, for numbers that are not valid, comparable digits).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isWithheld, normalizePhone } from '../../src/hubspot/phone/normalize.ts';

const e164 = (raw: string, region?: string) => normalizePhone(raw, region)?.e164 ?? null;

describe('phone normalisation', () => {
  it('treats withheld, empty and non-numeric caller ids as no number', () => {
    for (const raw of [
      '',
      '   ',
      'anonymous',
      'Anonymous',
      'UNKNOWN',
      'private',
      'Restricted',
      'withheld',
      'unavailable',
      'n/a',
      'call me',
      '1 800 FLOWERS',
      '0000',
    ]) {
      assert.equal(normalizePhone(raw, 'US'), null, raw);
      assert.equal(isWithheld(raw), true, raw);
    }
    assert.equal(normalizePhone(null, 'US'), null);
    assert.equal(isWithheld('+1 415 555 0123'), false);
  });

  it('keeps a leading + and reads international numbers whatever the default region', () => {
    assert.equal(e164('+44 20 7946 0123', 'US'), '+442079460123');
    assert.equal(e164('+81 3-1234-5678', 'DE'), '+81312345678');
    assert.equal(e164('+1 613 555 0123', 'GB'), '+16135550123');
  });

  it('turns exit codes into + (00 everywhere, 011 in NANP, 010 in Japan, 0011 in Australia)', () => {
    assert.equal(e164('0044 20 7946 0123', 'DE'), '+442079460123');
    assert.equal(e164('0044 20 7946 0123', 'US'), '+442079460123', '00 is tried as + even where it is not the exit code');
    assert.equal(e164('011 44 20 7946 0123', 'US'), '+442079460123');
    assert.equal(e164('010 81 3 1234 5678', 'JP'), '+81312345678');
    assert.equal(e164('0011 61 2 9876 5432', 'AU'), '+61298765432');
    assert.equal(e164('001 415 555 0123', 'JP'), '+14155550123');
  });

  it("drops the trunk prefix, a written (0), and keeps Italy's leading 0", () => {
    assert.equal(e164('030 12345678', 'DE'), '+493012345678');
    assert.equal(e164('+44 (0)20 7946 0123', 'US'), '+442079460123');
    assert.equal(e164('+49 (0)40 1234567', 'US'), '+49401234567');
    assert.equal(e164('06 1234 5678', 'IT'), '+390612345678');
    assert.equal(e164('0039 06 12345678', 'US'), '+390612345678');
    assert.equal(e164('0 21 11 3123 4567', 'BR'), '+551131234567', 'Brazilian carrier selection code');
  });

  it('reads NANP numbers with 10 or 11 digits', () => {
    assert.equal(e164('4155550123', 'US'), '+14155550123');
    assert.equal(e164('14155550123', 'US'), '+14155550123');
    assert.equal(e164('1-415-555-0123', 'US'), '+14155550123');
    assert.equal(e164('(415) 555.0123', 'US'), '+14155550123');
  });

  it('strips extensions in every common spelling and reports them', () => {
    for (const raw of [
      '+1 617 555 0199 x12',
      '+1 617 555 0199 ext. 12',
      '+1 617 555 0199 extension 12',
      '+16175550199;ext=12',
      '+16175550199#12',
      '+1 617 555 0199,,12',
      '+16175550199p12',
    ]) {
      const n = normalizePhone(raw, 'US');
      assert.equal(n?.e164, '+16175550199', raw);
      assert.equal(n?.extension, '12', raw);
    }
    assert.equal(normalizePhone('+49 (0)40 1234567 Durchwahl 12', 'DE')?.e164, '+49401234567');
    assert.equal(normalizePhone('01 23 45 67 89 poste 204', 'FR')?.extension, '204');
  });

  it('reads tel: and sip: URIs', () => {
    assert.equal(e164('tel:+1-415-555-0123', 'DE'), '+14155550123');
    assert.equal(e164('sip:+4930123456@pbx.example;user=phone', 'US'), '+4930123456');
  });

  it('keeps the digits of numbers that are not valid, for the last-digits fallback', () => {
    const n = normalizePhone('07700 900123', 'GB');
    assert.equal(n?.e164, null, 'Ofcom drama range: possible, not valid');
    assert.equal(n?.tail, '700900123');
    assert.equal(normalizePhone('+44 7700 900123', 'US')?.tail, '700900123');
    assert.equal(normalizePhone('030 12345678', 'US')?.e164, null, 'a German national number read as US');
    assert.equal(normalizePhone('030 12345678', 'US')?.tail, '012345678');
    assert.deepEqual(normalizePhone('12345', 'US'), { e164: null, tail: '12345', digits: '12345', extension: null, country: null });
  });

  it('takes the last 9 digits of the E.164 form as the tail', () => {
    assert.equal(normalizePhone('(415) 555-0123', 'US')?.tail, '155550123');
    assert.equal(normalizePhone('+33 1 23 45 67 89', 'US')?.tail, '123456789');
  });

  it('ignores an unknown default region instead of failing', () => {
    assert.equal(e164('+44 20 7946 0123', 'XX'), '+442079460123');
    assert.equal(e164('020 7946 0123', 'XX'), null);
  });

  it('normalises 10,000 numbers in well under a second', () => {
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) normalizePhone(`(415) 555-${String(i % 10_000).padStart(4, '0')}`, 'US');
    assert.ok(performance.now() - started < 1_000);
  });
});
