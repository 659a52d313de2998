import { describe, expect, it } from 'vitest';
import { withCheckDigit } from './ean';
import { gs1CheckDigit, hasValidGs1CheckDigit, parseScaleLabel, parseScan, pluCandidates, scaleLabelQuantity } from './scale-barcode';

const weight5 = { pluLength: 5, value: 'weight_grams' } as const;
const price4 = { pluLength: 4, value: 'price_cents' } as const;

describe('GTIN check digits', () => {
  it('agrees with EAN-13 and validates EAN-8, UPC-A and GTIN-14', () => {
    expect(gs1CheckDigit('789100010010')).toBe(3);
    expect(hasValidGs1CheckDigit('7891000100103')).toBe(true);
    expect(hasValidGs1CheckDigit('7891000100104')).toBe(false);
    expect(hasValidGs1CheckDigit('96385074')).toBe(true); // EAN-8
    expect(hasValidGs1CheckDigit('036000291452')).toBe(true); // UPC-A
    expect(hasValidGs1CheckDigit('10614141000415')).toBe(true); // GTIN-14
    expect(hasValidGs1CheckDigit('12345')).toBe(false);
  });
});

describe('parseScan', () => {
  it('refuses what is not a barcode and a wrong check digit', () => {
    expect(parseScan('abc', null)).toEqual({ ok: false, reason: 'invalid_barcode' });
    expect(parseScan('1234567', null)).toEqual({ ok: false, reason: 'invalid_barcode' });
    expect(parseScan('7891000100104', null)).toEqual({ ok: false, reason: 'invalid_check_digit' });
  });

  it('normalizes UPC-A and GTIN-14 with a leading zero to EAN-13', () => {
    expect(parseScan('036000291452', null)).toEqual({ ok: true, ean: '0036000291452', scale: null });
    expect(parseScan('07891000100103', null)).toEqual({ ok: true, ean: '7891000100103', scale: null });
  });

  it('reads a weight label: 2 + PLU(5) + pad(1) + grams(5) + check', () => {
    const code = withCheckDigit('2123450007500'.slice(0, 12));
    expect(parseScan(code, weight5)).toEqual({ ok: true, ean: code, scale: { plu: '12345', kind: 'weight_grams', value: 750 } });
  });

  it('reads a price label: 2 + PLU(4) + pad(2) + centavos(5) + check', () => {
    const code = withCheckDigit('200420001299');
    expect(parseScan(code, price4)).toEqual({ ok: true, ean: code, scale: { plu: '0042', kind: 'price_cents', value: 1299 } });
  });

  it('refuses a scale label with a wrong check digit', () => {
    const good = withCheckDigit('200420001299');
    const bad = good.slice(0, 12) + String((Number(good[12]) + 1) % 10);
    expect(parseScan(bad, price4)).toEqual({ ok: false, reason: 'invalid_check_digit' });
  });

  it('without a layout (or outside prefix 2) a code is a plain EAN', () => {
    const code = withCheckDigit('200420001299');
    expect(parseScan(code, null)).toEqual({ ok: true, ean: code, scale: null });
    expect(parseScaleLabel('7891000100103', weight5)).toBeNull();
  });

  it('six-digit PLUs leave no padding', () => {
    expect(parseScaleLabel(withCheckDigit('212345601500'), { pluLength: 6, value: 'weight_grams' })).toEqual({ plu: '123456', kind: 'weight_grams', value: 1500 });
  });
});

describe('scaleLabelQuantity', () => {
  it('is kilograms for weight labels and price / unit price for price labels, to the gram', () => {
    expect(scaleLabelQuantity({ plu: '12345', kind: 'weight_grams', value: 750 }, null)).toBe(0.75);
    expect(scaleLabelQuantity({ plu: '0042', kind: 'price_cents', value: 1299 }, 25.98)).toBe(0.5);
    expect(scaleLabelQuantity({ plu: '0042', kind: 'price_cents', value: 1000 }, 29.9)).toBe(0.334);
  });

  it('has no answer for a price label when the product has no unit price', () => {
    expect(scaleLabelQuantity({ plu: '0042', kind: 'price_cents', value: 1299 }, 0)).toBeNull();
  });
});

describe('pluCandidates', () => {
  it('lists the zero-padded spellings, the label’s first', () => {
    expect(pluCandidates('0042')).toEqual(['0042', '00042', '000042']);
    expect(pluCandidates('123456')).toEqual(['123456']);
  });
});
