/**
 * Spreadsheets saved in Brazil are often Windows-1252, not UTF-8: decode strictly as UTF-8 first and fall back,
 * so "Açúcar" does not arrive as "A�car".
 */
export function decodeCsv(buffer: ArrayBuffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    return new TextDecoder('windows-1252').decode(buffer);
  }
}
