import { describe, expect, it } from 'vitest';
import type { ScanRecord } from './db';
import { ScanTally, type LineCount, type ScanValue } from './tally';

const names: Record<string, string> = { '7891000100103': 'Arroz', '7891000053508': 'Feijão', '7896004000855': 'Açúcar', '7894900011517': 'arroz integral' };
// A scale label ("2…") resolves to Feijão, at 0.5 kg per label: the line key is not the scanned code.
const SCALE = '2000123004507';
const valueOf = (s: ScanRecord): ScanValue =>
  s.ean === SCALE ? { key: '7891000053508', name: 'Feijão', unit: 'kg', quantity: s.quantity * 0.5 } : { key: s.ean, name: names[s.ean] ?? null, unit: 'un', quantity: s.quantity };

let seq = 0;
function scan(ean: string, over: Partial<ScanRecord> = {}): ScanRecord {
  seq += 1;
  return { id: `s${seq}`, sessionId: 'x', storeId: 'st', ean, quantity: 1, zone: '', countedAt: new Date(0), deviceId: 'd', seq, userId: 'u1', status: 'pending', ...over };
}

/** What the tally must equal: the totals computed from the whole log at once. */
function fromScratch(scans: ScanRecord[]): Map<string, LineCount> {
  const replaced = new Set(scans.filter((s) => s.replaces && s.status !== 'rejected').map((s) => s.replaces));
  const lines = new Map<string, LineCount>();
  for (const s of scans) {
    if (s.status === 'rejected' || replaced.has(s.id)) continue;
    const v = valueOf(s);
    const line = lines.get(v.key) ?? { ean: v.key, name: v.name, unit: v.unit, quantity: 0, entries: 0 };
    lines.set(v.key, { ...line, quantity: Math.round((line.quantity + v.quantity) * 1000) / 1000, entries: line.entries + 1 });
  }
  return lines;
}

function expectSame(tally: ScanTally, scans: ScanRecord[]) {
  const expected = fromScratch(scans);
  const got = new Map(tally.view.lines.map((l) => [l.ean, l]));
  expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, line] of expected) {
    expect(got.get(key)!.entries).toBe(line.entries);
    expect(got.get(key)!.quantity).toBeCloseTo(line.quantity, 6);
  }
  const order = tally.view.lines.map((l) => l.name ?? l.ean);
  expect(order).toEqual([...order].sort(new Intl.Collator('pt-BR').compare));
}

describe('ScanTally', () => {
  it('adds repeated scans of a product and resolves scale labels to their product line', () => {
    const tally = new ScanTally(valueOf);
    tally.append(scan('7891000100103'));
    tally.append(scan('7891000100103', { quantity: 2 }));
    tally.append(scan('7891000053508'));
    const view = tally.append(scan(SCALE, { quantity: 3 }));
    expect(view.lines.map((l) => [l.name, l.quantity, l.entries])).toEqual([
      ['Arroz', 3, 2],
      ['Feijão', 2.5, 2],
    ]);
    expect(tally.total('7891000053508')).toBe(2.5);
    expect(view.size).toBe(4);
  });

  it('a correction takes the replaced scan out; an undo leaves the line at zero', () => {
    const tally = new ScanTally(valueOf);
    const first = scan('7891000100103', { quantity: 5 });
    tally.append(first);
    const fixed = scan('7891000100103', { quantity: 4, replaces: first.id });
    let view = tally.append(fixed);
    expect(view.lines).toMatchObject([{ ean: '7891000100103', quantity: 4, entries: 1 }]);
    expect(view.recent.map((r) => [r.scan.id, r.replaced])).toEqual([
      [fixed.id, false],
      [first.id, true],
    ]);
    view = tally.append(scan('7891000100103', { quantity: 0, replaces: fixed.id }));
    expect(view.lines).toMatchObject([{ ean: '7891000100103', quantity: 0, entries: 1 }]);
  });

  it('a refused correction does not take its target out, and refused scans are listed', () => {
    const first = scan('7896004000855', { quantity: 2 });
    const refused = scan('7896004000855', { quantity: 9, replaces: first.id, status: 'rejected', rejectReason: 'x' });
    const tally = new ScanTally(valueOf);
    const view = tally.reset([first, refused]);
    expect(view.lines).toMatchObject([{ name: 'Açúcar', quantity: 2 }]);
    expect(view.rejected.map((s) => s.id)).toEqual([refused.id]);
    expect(view.recent.find((r) => r.scan.id === first.id)?.replaced).toBe(false);
  });

  it('knows the lines each user counted first (not as a recount)', () => {
    const tally = new ScanTally(valueOf);
    tally.append(scan('7891000100103', { userId: 'ana' }));
    tally.append(scan('7891000053508', { userId: 'ana', recount: true }));
    tally.append(scan(SCALE, { userId: 'bia' }));
    expect([...tally.firstCountedBy('ana')]).toEqual(['7891000100103']);
    expect([...tally.firstCountedBy('bia')]).toEqual(['7891000053508']);
    expect(tally.firstCountedBy('caio').size).toBe(0);
  });

  it('scan by scan, always equals the totals computed from the whole log', () => {
    let state = 42;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const codes = [...Object.keys(names), SCALE, '7890000000017'];
    const log: ScanRecord[] = [];
    const tally = new ScanTally(valueOf);
    for (let i = 0; i < 600; i++) {
      const target = log.length > 0 && random() < 0.2 ? log[Math.floor(random() * log.length)]! : null;
      const next = target
        ? scan(target.ean, { quantity: Math.floor(random() * 4), replaces: target.id })
        : scan(codes[Math.floor(random() * codes.length)]!, { quantity: random() < 0.1 ? -1 : Math.round(random() * 30) / 10 || 1 });
      log.push(next);
      tally.append(next);
      expectSame(tally, log);
    }
    // Some refused by the server: a reset from the log agrees too, and so does a fresh tally.
    const synced = log.map((s, i) => (i % 7 === 0 ? { ...s, status: 'rejected' as const } : { ...s, status: 'synced' as const }));
    tally.reset(synced);
    expectSame(tally, synced);
  });
});
