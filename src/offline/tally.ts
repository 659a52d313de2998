/**
 * The counting screen's running totals, kept up to date scan by scan. A new scan changes one line, so appending
 * costs O(log lines), not O(log size): with 10,000 scans in the log, recomputing everything on each scan is what
 * kept the tablet's main thread busy between two scans. `reset` rebuilds from the whole log (on opening, after a
 * sync changed statuses, when product names arrived).
 */
import type { ScanRecord } from './db';

export type LineCount = { ean: string; name: string | null; unit: string | null; quantity: number; entries: number };

/** What one scan adds to its line: the product's line key (a scale label resolves to its product) and amount. */
export type ScanValue = { key: string; name: string | null; unit: string | null; quantity: number };

export type RecentScan = { scan: ScanRecord; replaced: boolean };

/** One immutable picture of the tally, for rendering: a new object after every change. */
export type TallyView = {
  /** Counted lines, by product name (pt-BR collation), then EAN. */
  lines: readonly LineCount[];
  /** The newest scans first. */
  recent: readonly RecentScan[];
  /** Scans the server refused, in log order. */
  rejected: readonly ScanRecord[];
  /** Scans in the log. */
  size: number;
};

const RECENT = 8;
const collator = new Intl.Collator('pt-BR');
const round3 = (n: number) => Math.round(n * 1000) / 1000;

function compareLines(a: LineCount, b: LineCount): number {
  return collator.compare(a.name ?? a.ean, b.name ?? b.ean) || (a.ean < b.ean ? -1 : a.ean > b.ean ? 1 : 0);
}

export class ScanTally {
  private log: ScanRecord[] = [];
  private byId = new Map<string, ScanRecord>();
  /** Ids replaced by a correction that was not refused: they no longer count. */
  private replaced = new Set<string>();
  private lines = new Map<string, LineCount>();
  private sorted: LineCount[] = [];
  private rejected: ScanRecord[] = [];
  /** Per user, the lines they counted in a first count (not a recount): they may not recount those. */
  private firstCounts = new Map<string, Set<string>>();
  private current: TallyView = { lines: [], recent: [], rejected: [], size: 0 };

  constructor(private readonly valueOf: (scan: ScanRecord) => ScanValue) {}

  get view(): TallyView {
    return this.current;
  }

  get scans(): readonly ScanRecord[] {
    return this.log;
  }

  /** The running total of a line (0 if never counted). */
  total(key: string): number {
    return this.lines.get(key)?.quantity ?? 0;
  }

  /** The line key a scan counts under. */
  keyOf(scan: ScanRecord): string {
    return this.valueOf(scan).key;
  }

  firstCountedBy(userId: string): ReadonlySet<string> {
    return this.firstCounts.get(userId) ?? new Set();
  }

  /** Rebuilds everything from the log, in log order. */
  reset(scans: readonly ScanRecord[]): TallyView {
    this.log = [...scans];
    this.byId = new Map(scans.map((s) => [s.id, s]));
    this.replaced = new Set(scans.filter((s) => s.replaces && s.status !== 'rejected').map((s) => s.replaces!));
    this.lines = new Map();
    this.rejected = scans.filter((s) => s.status === 'rejected');
    this.firstCounts = new Map();
    for (const s of scans) {
      this.noteFirstCount(s);
      if (this.counts(s)) this.add(s, 1, false);
    }
    this.sorted = [...this.lines.values()].sort(compareLines);
    return this.publish();
  }

  /** Adds one new scan (a pending one, just written to the log). */
  append(scan: ScanRecord): TallyView {
    this.log.push(scan);
    this.byId.set(scan.id, scan);
    if (scan.status === 'rejected') this.rejected = [...this.rejected, scan];
    this.noteFirstCount(scan);
    if (scan.replaces && scan.status !== 'rejected') {
      const target = this.byId.get(scan.replaces);
      const targetCounted = target !== undefined && this.counts(target);
      this.replaced.add(scan.replaces);
      if (targetCounted) this.add(target, -1, true);
    }
    if (this.counts(scan)) this.add(scan, 1, true);
    return this.publish();
  }

  private counts(scan: ScanRecord): boolean {
    return scan.status !== 'rejected' && !this.replaced.has(scan.id);
  }

  private noteFirstCount(scan: ScanRecord) {
    if (scan.recount || scan.status === 'rejected') return;
    let keys = this.firstCounts.get(scan.userId);
    if (!keys) this.firstCounts.set(scan.userId, (keys = new Set()));
    keys.add(this.valueOf(scan).key);
  }

  /** Adds (sign 1) or takes away (sign -1) a scan's amount from its line; keeps `sorted` in order when asked. */
  private add(scan: ScanRecord, sign: 1 | -1, keepSorted: boolean) {
    const value = this.valueOf(scan);
    const before = this.lines.get(value.key);
    const entries = (before?.entries ?? 0) + sign;
    const after: LineCount | null =
      entries <= 0
        ? null
        : { ean: value.key, name: before?.name ?? value.name, unit: before?.unit ?? value.unit, quantity: round3((before?.quantity ?? 0) + sign * value.quantity), entries };
    if (after) this.lines.set(value.key, after);
    else this.lines.delete(value.key);
    if (!keepSorted) return;
    const sorted = [...this.sorted];
    if (before) sorted.splice(this.indexOf(before), 1);
    if (after) sorted.splice(this.insertionPoint(after), 0, after);
    this.sorted = sorted;
  }

  private insertionPoint(line: LineCount): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareLines(this.sorted[mid]!, line) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexOf(line: LineCount): number {
    const at = this.insertionPoint(line);
    return this.sorted[at] === line ? at : this.sorted.indexOf(line);
  }

  private publish(): TallyView {
    const recent: RecentScan[] = [];
    for (let i = this.log.length - 1; i >= 0 && recent.length < RECENT; i--) {
      const scan = this.log[i]!;
      recent.push({ scan, replaced: this.replaced.has(scan.id) });
    }
    this.current = { lines: this.sorted, recent, rejected: this.rejected, size: this.log.length };
    return this.current;
  }
}
