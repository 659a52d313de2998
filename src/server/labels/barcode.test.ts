import { describe, expect, it } from 'vitest';
import { withCheckDigit } from '~/lib/ean';
import { barcodeFor, ean13DigitCentres, symbologyOf } from './barcode';

/** The module pattern of a bar list: 1 for a dark module, 0 for a light one. */
const pattern = (bars: { x: number; width: number }[], modules: number) => {
  const out = Array.from({ length: modules }, () => 0);
  for (const bar of bars) for (let m = bar.x; m < bar.x + bar.width; m++) out[m] = 1;
  return out.join('');
};

describe('shelf label barcodes', () => {
  it('prints a valid EAN-13 as EAN-13, and a zero-padded EAN-8 or UPC-A in the same 13-digit form', () => {
    expect(symbologyOf('7891000100103')).toBe('ean13');
    expect(symbologyOf('0000096385074')).toBe('ean13');
    expect(symbologyOf('0036000291452')).toBe('ean13');
    expect(symbologyOf(withCheckDigit('201234000000'))).toBe('ean13');
  });

  it('prints a 13-digit code with a wrong check digit as Code 128 of the same digits (it cannot be an EAN-13 symbol)', () => {
    const wrong = '7891000100104';
    expect(symbologyOf(wrong)).toBe('code128');
    const code = barcodeFor(wrong);
    expect(code).toMatchObject({ symbology: 'code128', text: wrong, quietLeft: 10, quietRight: 10 });
    expect(code.bars.every((b) => !b.guard)).toBe(true);
    // Code 128 ends with its stop pattern 2331112 (bars and spaces alternating, a bar first).
    expect(pattern(code.bars, code.modules).endsWith('11000111010' + '11')).toBe(true);
  });

  it('encodes an EAN-13 as 95 modules: its guard patterns, the right half’s digits, the guard bars long', () => {
    const code = barcodeFor('7891000100103');
    expect(code).toMatchObject({ symbology: 'ean13', text: '7891000100103', modules: 95, quietLeft: 11, quietRight: 7 });
    const modules = pattern(code.bars, code.modules);
    expect(modules.slice(0, 3)).toBe('101');
    expect(modules.slice(45, 50)).toBe('01010');
    expect(modules.slice(92)).toBe('101');
    // Right half, C set: its first digit 1 = 1100110, its last (the check digit) 3 = 1000010.
    expect(modules.slice(50, 57)).toBe('1100110');
    expect(modules.slice(85, 92)).toBe('1000010');
    // The 6 guard bars are the long ones.
    expect(code.bars.filter((b) => b.guard).map((b) => b.x)).toEqual([0, 2, 46, 48, 92, 94]);
  });

  it('gives every 13-digit code a symbol, whatever its check digit', () => {
    for (const code of ['0000000000000', '9999999999999', withCheckDigit('789000000001')]) expect(barcodeFor(code).bars.length).toBeGreaterThan(20);
  });

  it('places the digits of an EAN-13 under their symbol characters, the first in the left quiet zone', () => {
    const centres = ean13DigitCentres();
    expect(centres).toHaveLength(13);
    expect(centres[0]).toBeLessThan(0);
    expect(centres[0]).toBeGreaterThan(-11);
    expect(centres.slice(1, 7)).toEqual([6.5, 13.5, 20.5, 27.5, 34.5, 41.5]);
    expect(centres.slice(7)).toEqual([53.5, 60.5, 67.5, 74.5, 81.5, 88.5]);
  });
});
