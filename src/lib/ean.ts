/** EAN-13 / GTIN helpers shared by the server and the browser. */

export function eanCheckDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    const digit = first12.charCodeAt(i) - 48;
    sum += i % 2 === 0 ? digit : digit * 3;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidEan13(code: string): boolean {
  return /^\d{13}$/.test(code) && eanCheckDigit(code.slice(0, 12)) === code.charCodeAt(12) - 48;
}

/** Completes 12 digits with their check digit. */
export function withCheckDigit(first12: string): string {
  if (!/^\d{12}$/.test(first12)) throw new Error(`expected 12 digits, got "${first12}"`);
  return first12 + String(eanCheckDigit(first12));
}
