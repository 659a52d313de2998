import { describe, expect, it } from 'vitest';
import { isAmbiguousDecimal, parseDecimal, parseSignedDecimal } from './format';

describe('numbers typed by people in Brazil', () => {
  it('reads commas as decimals and dots before groups of three as thousands', () => {
    expect(parseDecimal('12,50')).toBe(12.5);
    expect(parseDecimal('1.234,5')).toBe(1234.5);
    expect(parseDecimal('2.000.000')).toBe(2_000_000);
    expect(parseDecimal('1.500')).toBe(1500);
    expect(parseDecimal('12.50')).toBe(12.5);
    expect(parseDecimal('abc')).toBeNull();
    expect(parseSignedDecimal('-1,5')).toBe(-1.5);
  });

  it('never reads a leading 0 as a thousands group, and flags the guesses', () => {
    expect(parseDecimal('0.500')).toBe(0.5);
    expect(isAmbiguousDecimal('0.500')).toBe(false);
    expect(isAmbiguousDecimal('1.250')).toBe(true);
    expect(isAmbiguousDecimal('-1.250')).toBe(true);
    expect(isAmbiguousDecimal('1,250')).toBe(false);
    expect(isAmbiguousDecimal('2.000.000')).toBe(false);
    expect(isAmbiguousDecimal('1250')).toBe(false);
  });
});
