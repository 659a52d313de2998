import { describe, expect, it } from 'vitest';
import { judge, labelFound, missingReason, priceCents, pricesIn, textFound } from './matching';

describe('compliance rules', () => {
  it('reads a price however it is written, and compares amounts', () => {
    expect(priceCents('R$ 9,99')).toBe(999);
    expect(priceCents('9.99')).toBe(999);
    expect(priceCents('R$1.299,90')).toBe(129990);
    expect(priceCents('Nescau')).toBeNull();
    expect([...pricesIn('OFERTA\nR$9,99 cada · leve 3 por 27.90')]).toEqual([999, 2790]);
    expect(textFound('R$ 9,99', 'oferta r$ 9,99')).toBe(true);
    expect(textFound('R$ 9,99', 'OFERTA 9.99')).toBe(true);
    expect(textFound('R$ 9,99', 'R$ 19,99')).toBe(false);
    expect(textFound('R$ 9,99', 'R$ 9,995')).toBe(false);
    expect(textFound('R$ 9,99', 'validade 09/99')).toBe(false);
  });

  it('matches texts after case, accents and spaces', () => {
    expect(textFound('Açúcar União', 'ACUCAR  UNIAO refinado')).toBe(true);
    expect(textFound('Coca-Cola', 'COCA COLA 2L')).toBe(true);
    expect(textFound('Coca Cola', 'cocacola')).toBe(true);
    expect(textFound('Nescau', 'Toddy')).toBe(false);
  });

  it('matches labels in English or by their Portuguese name, above the confidence floor', () => {
    const labels = [
      { description: 'Shelf', score: 0.93 },
      { description: 'Price tag', score: 0.71 },
      { description: 'Refrigerator', score: 0.4 },
    ];
    expect(labelFound('shelf', labels)).toBe(true);
    expect(labelFound('Prateleira', labels)).toBe(true);
    expect(labelFound('etiqueta de preço', labels)).toBe(true);
    expect(labelFound('geladeira', labels)).toBe(false); // seen, but not surely
    expect(labelFound('freezer', labels)).toBe(false);
  });

  it('says what is missing, in the words a store reads', () => {
    const findings = [
      { photoId: 'a', labels: [{ description: 'Shelf', score: 0.9 }], text: 'Nescau 400g' },
      { photoId: 'b', labels: [], text: 'R$ 12,49' },
    ];
    const passed = judge({ labels: ['prateleira'], texts: ['Nescau', 'R$ 12,49'], alwaysReview: false }, findings);
    expect(passed.allFound).toBe(true);
    expect(passed.expected.map((e) => e.photoId)).toEqual(['a', 'a', 'b']);
    const failed = judge({ labels: ['geladeira'], texts: ['R$ 9,99'], alwaysReview: false }, findings);
    expect(failed.allFound).toBe(false);
    expect(failed.missing).toEqual(['geladeira não encontrado nas fotos', 'preço R$ 9,99 não encontrado']);
    expect(missingReason({ kind: 'text', expected: 'Toddy' })).toBe('texto “Toddy” não encontrado');
    expect(judge({ labels: [], texts: [], alwaysReview: false }, []).allFound).toBe(true);
  });
});
