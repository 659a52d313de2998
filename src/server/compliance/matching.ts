import type { ComplianceRules, ExpectedItem, PhotoFindings } from '../db/schema';

/**
 * The template's rules applied to what Google Vision found: pure, so every rule is tested without a photo.
 * Texts are compared after normalising case, accents and spaces; a price (`R$ 9,99`, `9.99`, `R$9,99`) is
 * compared as an amount, so a tag read as `9,99` or `R$ 9.99` matches `R$ 9,99` and `19,99` does not.
 */

/** Lower case, no accents, runs of spaces and punctuation other than `,` `.` `$` as one space. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N},.$%]+/gu, ' ')
    .trim();
}

const PRICE = /^(?:r\$\s*)?(\d{1,3}(?:[.\s]\d{3})*|\d+)\s*[,.]\s*(\d{2})$/;
const PRICES_IN_TEXT = /(\d{1,3}(?:[.\s]\d{3})+|\d+)\s*[,.]\s*(\d{2})(?!\d)/g;

/** The amount in centavos when the text is a price (`R$ 1.299,90` → 129990), else null. */
export function priceCents(text: string): number | null {
  const m = PRICE.exec(normalizeText(text));
  return m ? Number(m[1]!.replace(/[.\s]/g, '')) * 100 + Number(m[2]) : null;
}

/** Every price-looking amount in a text read from a photo, in centavos. */
export function pricesIn(text: string): Set<number> {
  const found = new Set<number>();
  for (const m of normalizeText(text).matchAll(PRICES_IN_TEXT)) found.add(Number(m[1]!.replace(/[.\s]/g, '')) * 100 + Number(m[2]));
  return found;
}

/** Whether `expected` appears in `text`: as an amount for a price, else as words (spaces not required between them). */
export function textFound(expected: string, text: string): boolean {
  const cents = priceCents(expected);
  if (cents !== null) return pricesIn(text).has(cents);
  const want = normalizeText(expected);
  if (!want) return true;
  const have = normalizeText(text);
  return have.includes(want) || have.replace(/ /g, '').includes(want.replace(/ /g, ''));
}

/**
 * Vision names labels in English; managers may type them in Portuguese. The common ones of a supermarket's
 * shelves, in both languages (what the template screen offers).
 */
export const LABEL_SYNONYMS: Record<string, string[]> = {
  prateleira: ['shelf', 'shelving'],
  gondola: ['shelf', 'shelving', 'retail'],
  'etiqueta de preco': ['price tag', 'label', 'price'],
  etiqueta: ['label', 'price tag'],
  preco: ['price tag', 'price'],
  geladeira: ['refrigerator', 'home appliance', 'major appliance'],
  refrigerador: ['refrigerator', 'home appliance', 'major appliance'],
  freezer: ['freezer', 'refrigerator'],
  cartaz: ['poster', 'signage', 'advertising'],
  placa: ['signage', 'sign'],
  produto: ['product'],
  fruta: ['fruit', 'natural foods'],
  verdura: ['vegetable', 'leaf vegetable', 'natural foods'],
  legume: ['vegetable', 'natural foods'],
  bebida: ['drink', 'beverage', 'bottle'],
  garrafa: ['bottle'],
  supermercado: ['supermarket', 'grocery store', 'retail'],
  piso: ['floor', 'flooring'],
  limpeza: ['cleanliness', 'floor'],
};

/** Vision's labels below this confidence are not taken as seen. */
export const LABEL_MIN_SCORE = 0.6;

export function labelFound(expected: string, labels: { description: string; score: number }[]): boolean {
  const want = normalizeText(expected);
  const names = new Set([want, ...(LABEL_SYNONYMS[want] ?? [])]);
  return labels.some((l) => {
    if (l.score < LABEL_MIN_SCORE) return false;
    const have = normalizeText(l.description);
    return names.has(have) || [...names].some((n) => have.split(' ').length > 1 && have.includes(n));
  });
}

export type Judgement = { expected: ExpectedItem[]; missing: string[]; allFound: boolean };

/** Each expected label and text, found in which photo (the first that shows it) or missing, with the reasons people read. */
export function judge(rules: ComplianceRules, findings: PhotoFindings[]): Judgement {
  const expected: ExpectedItem[] = [
    ...rules.labels.map((label) => ({ kind: 'label' as const, expected: label, photoId: findings.find((f) => labelFound(label, f.labels))?.photoId ?? null })),
    ...rules.texts.map((text) => ({ kind: 'text' as const, expected: text, photoId: findings.find((f) => textFound(text, f.text))?.photoId ?? null })),
  ].map((item) => ({ ...item, found: item.photoId !== null }));
  const missing = expected.filter((e) => !e.found).map(missingReason);
  return { expected, missing, allFound: missing.length === 0 };
}

/** "preço R$ 9,99 não encontrado", "texto “Nescau” não encontrado", "prateleira não encontrada nas fotos". */
export function missingReason(item: Pick<ExpectedItem, 'kind' | 'expected'>): string {
  if (item.kind === 'label') return `${item.expected} não encontrado nas fotos`;
  const cents = priceCents(item.expected);
  if (cents !== null) return `preço R$ ${(cents / 100).toLocaleString('pt-BR', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} não encontrado`;
  return `texto “${item.expected}” não encontrado`;
}
