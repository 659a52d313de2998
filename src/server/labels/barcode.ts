import bwipjs from 'bwip-js/node';
import { isValidEan13 } from '~/lib/ean';

/**
 * How a product's code goes on its shelf label. A valid EAN-13 (every code our own forms and imports accept; a
 * zero-padded EAN-8 or UPC-A is one too, and is printed in that 13-digit form because the count's scanner looks
 * products up by their 13 digits) is printed as EAN-13. A code whose check digit is wrong (rows written by other
 * means: an old system's internal codes) cannot be an EAN-13 symbol at all: it is printed as Code 128, which
 * carries the same 13 digits.
 */
export type Symbology = 'ean13' | 'code128';

export type Bar = {
  /** Left edge and width, in modules from the symbol's left edge (its quiet zone not included). */
  x: number;
  width: number;
  /** EAN guard bars run 5 modules further down, between the groups of digits. */
  guard: boolean;
};

export type Barcode = {
  symbology: Symbology;
  /** The code as printed under the bars. */
  text: string;
  bars: Bar[];
  /** Width of the bars and spaces between the quiet zones, in modules. */
  modules: number;
  /** Light margins the scanner needs on each side, in modules (the EAN-13's first digit sits in the left one). */
  quietLeft: number;
  quietRight: number;
};

/** The symbology a stored code is printed in (see Symbology). */
export const symbologyOf = (code: string): Symbology => (isValidEan13(code) ? 'ean13' : 'code128');

/** The bars of `code` in its symbology, from bwip-js's encoder (bars and spaces in modules; the drawing is ours). */
export function barcodeFor(code: string): Barcode {
  const symbology = symbologyOf(code);
  const [symbol] = bwipjs.raw(symbology, code, { includetext: symbology === 'ean13' }) as { sbs: number[]; bhs: number[] }[];
  if (!symbol?.sbs) throw new Error(`bwip-js returned no linear symbol for ${symbology} ${code}`);
  const shortest = Math.min(...symbol.bhs);
  const bars: Bar[] = [];
  let x = 0;
  // sbs alternates bar, space, bar, …; bhs holds one height per bar (EAN guards are the taller ones).
  symbol.sbs.forEach((width, i) => {
    if (i % 2 === 0) bars.push({ x, width, guard: symbol.bhs[i / 2]! > shortest + 1e-6 });
    x += width;
  });
  return symbology === 'ean13'
    ? { symbology, text: code, bars, modules: x, quietLeft: 11, quietRight: 7 }
    : { symbology, text: code, bars, modules: x, quietLeft: 10, quietRight: 10 };
}

/**
 * Where each digit of an EAN-13 is printed, in modules from the symbol's left edge (centre of the digit): the first
 * in the left quiet zone, then six under each half, one per 7-module symbol character.
 */
export function ean13DigitCentres(): number[] {
  const left = Array.from({ length: 6 }, (_, i) => 3 + 7 * i + 3.5);
  const right = Array.from({ length: 6 }, (_, i) => 50 + 7 * i + 3.5);
  return [-5.5, ...left, ...right];
}
