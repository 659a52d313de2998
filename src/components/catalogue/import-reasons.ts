/** The server's reasons for a rejected CSV row (src/server/catalogue/{csv,import}.ts) in Portuguese; unknown ones pass as they came. */
const reasons: [RegExp, string | ((m: RegExpExecArray) => string)][] = [
  [/^EAN must be 13 digits$/i, 'o EAN deve ter 13 dígitos'],
  [/^EAN has a wrong check digit$/i, 'dígito verificador do EAN incorreto'],
  [/^EAN repeated: already on line (\d+)$/i, (m) => `EAN repetido: já aparece na linha ${m[1]}`],
  [/^name is required$/i, 'falta o nome'],
  [/^name: at most (\d+) characters$/i, (m) => `nome com mais de ${m[1]} caracteres`],
  [/^at most (\d+) characters$/i, (m) => `texto com mais de ${m[1]} caracteres`],
  [/^"(.*)" is not a price/i, (m) => `"${m[1]}" não é um preço (use 12,50 ou 12.50)`],
  [/^PLU must be 4 to 6 digits$/i, 'o PLU deve ter de 4 a 6 dígitos'],
  [/^active must be sim\/não, got "(.*)"$/i, (m) => `"ativo" deve ser sim ou não (veio "${m[1]}")`],
  [/^no active user with email (.+)$/i, (m) => `nenhum usuário ativo com o e-mail ${m[1]}`],
  [/^(.+) is not a buyer$/i, (m) => `${m[1]} não é comprador(a)`],
  [/^PLU (\S+) already belongs to EAN (\d+)$/i, (m) => `o PLU ${m[1]} já é do EAN ${m[2]}`],
  [/^PLU (\S+) repeated: already on line (\d+)$/i, (m) => `PLU ${m[1]} repetido: já aparece na linha ${m[2]}`],
  [/^PLU already used by another product$/i, 'o PLU já é usado por outro produto'],
  [/^invalid value \((.+)\)$/i, (m) => `valor inválido (${m[1]})`],
  [/^rejected by the database$/i, 'recusada pelo banco de dados'],
  [/expected string, received undefined/i, 'coluna vazia ou faltando'],
];

export function translateImportReason(reason: string): string {
  for (const [pattern, replacement] of reasons) {
    const match = pattern.exec(reason);
    if (match) return typeof replacement === 'string' ? replacement : replacement(match);
  }
  return reason;
}

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
