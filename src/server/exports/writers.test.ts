import { PassThrough, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { writeCsv } from './csv';
import type { Sheet } from './sheet';
import { writeXlsx } from './xlsx';

type Row = { ean: string; name: string; quantity: number; price: number; at: number | null; active: boolean };

const sheet: Sheet<Row> = {
  name: 'Teste',
  columns: [
    { header: 'EAN', kind: 'code', width: 16, value: (r) => r.ean },
    { header: 'Nome', kind: 'text', width: 30, value: (r) => r.name },
    { header: 'Quantidade', kind: 'quantity', width: 12, value: (r) => r.quantity },
    { header: 'Preço', kind: 'money', width: 12, value: (r) => r.price },
    { header: 'Quando', kind: 'date', width: 17, value: (r) => r.at },
    { header: 'Ativo', kind: 'yesNo', width: 8, value: (r) => r.active },
  ],
};

/** 2 December 2026, 14:05 on a São Paulo wall clock (see CellKind `date`). */
const AT = Date.UTC(2026, 11, 2, 14, 5);
const rows: Row[] = [
  { ean: '7891000100103', name: 'Arroz "Tipo 1" 5kg', quantity: 1234.5, price: 1234.5, at: AT, active: true },
  { ean: '0012345678905', name: '=HYPERLINK("http://evil.test","clique")', quantity: -3, price: -0.1, at: null, active: false },
  { ean: '7891000100110', name: '-2+3', quantity: 0.125, price: 0, at: AT, active: true },
  { ean: '7891000100127', name: '@SUM(A1)', quantity: 10, price: 19.9, at: AT, active: true },
  { ean: '7891000100134', name: '\tTab; e ponto e vírgula\nquebra', quantity: 2, price: 3, at: AT, active: true },
];

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Batches as a query's cursor hands them over: one at a time, asynchronously. */
async function* batchesOf<T>(items: T[], size: number): AsyncGenerator<T[]> {
  for (const batch of chunks(items, size)) yield await Promise.resolve(batch);
}

/** A writable that keeps what it is given. */
function collector() {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { out, bytes: () => Buffer.concat(chunks) };
}

describe('writeCsv', () => {
  it('writes a Brazilian Excel CSV: BOM, semicolons, CRLF, decimal comma, dd/mm/aaaa hh:mm, codes as text, no formula', async () => {
    const { out, bytes } = collector();
    const figures = await writeCsv(sheet, batchesOf(rows, 2), out);
    const file = bytes();
    expect(figures).toEqual({ rows: 5, bytes: file.length });
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = file.toString('utf8').slice(1);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')).toEqual([
      '"EAN";"Nome";"Quantidade";"Preço";"Quando";"Ativo"',
      '="7891000100103";"Arroz ""Tipo 1"" 5kg";1234,5;1234,50;02/12/2026 14:05;Sim',
      // A formula someone typed into a name stays text: the apostrophe keeps Excel from running it.
      '="0012345678905";"\'=HYPERLINK(""http://evil.test"",""clique"")";-3;-0,10;;Não',
      '="7891000100110";"\'-2+3";0,125;0,00;02/12/2026 14:05;Sim',
      '="7891000100127";"\'@SUM(A1)";10;19,90;02/12/2026 14:05;Sim',
      '="7891000100134";"\'\tTab; e ponto e vírgula\nquebra";2;3,00;02/12/2026 14:05;Sim',
      '',
    ]);
  });

  it('writes the header alone when there is no row', async () => {
    const { out, bytes } = collector();
    expect(await writeCsv(sheet, batchesOf([], 10), out)).toMatchObject({ rows: 0 });
    expect(bytes().toString('utf8')).toBe('\uFEFF"EAN";"Nome";"Quantidade";"Preço";"Quando";"Ativo"\r\n');
  });
});

async function readXlsx(file: Buffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(file as unknown as ArrayBuffer);
  return workbook.worksheets[0]!;
}

describe('writeXlsx', () => {
  it('writes typed cells: numbers as numbers with pt-BR formats, dates as dates, codes and formula-like text as strings', async () => {
    const { out, bytes } = collector();
    const figures = await writeXlsx(sheet, batchesOf(rows, 2), out);
    expect(figures).toEqual({ rows: 5, bytes: bytes().length });
    const ws = await readXlsx(bytes());
    expect(ws.name).toBe('Teste');
    expect(ws.rowCount).toBe(6);
    expect(ws.getRow(1).values).toEqual([undefined, 'EAN', 'Nome', 'Quantidade', 'Preço', 'Quando', 'Ativo']);
    expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.columns.map((c) => c.width)).toEqual([16, 30, 12, 12, 17, 8]);

    const first = ws.getRow(2);
    expect(first.getCell(1).type).toBe(ExcelJS.ValueType.String);
    expect(first.getCell(1).value).toBe('7891000100103');
    expect(first.getCell(3).value).toBe(1234.5);
    expect(first.getCell(3).numFmt).toBe('#,##0.000');
    expect(first.getCell(4).value).toBe(1234.5);
    expect(first.getCell(4).numFmt).toBe('"R$" #,##0.00');
    expect(first.getCell(5).type).toBe(ExcelJS.ValueType.Date);
    expect((first.getCell(5).value as Date).toISOString()).toBe('2026-12-02T14:05:00.000Z');
    expect(first.getCell(5).numFmt).toBe('dd/mm/yyyy hh:mm');
    expect(first.getCell(6).value).toBe('Sim');

    const second = ws.getRow(3);
    expect(second.getCell(1).value).toBe('0012345678905');
    expect(second.getCell(2).type).toBe(ExcelJS.ValueType.String);
    expect(second.getCell(2).value).toBe('=HYPERLINK("http://evil.test","clique")');
    expect(second.getCell(3).value).toBe(-3);
    expect(second.getCell(3).numFmt).toBe('#,##0');
    expect(second.getCell(5).value).toBeNull();
    expect(ws.getRow(6).getCell(2).value).toBe('\tTab; e ponto e vírgula\nquebra');
  });

  it('cuts a text past what Excel can hold in a cell, saying so', async () => {
    const { out, bytes } = collector();
    await writeXlsx(sheet, batchesOf([{ ...rows[0]!, name: 'x'.repeat(40_000) }], 1), out);
    const value = (await readXlsx(bytes())).getRow(2).getCell(2).value as string;
    expect(value).toHaveLength(32_767);
    expect(value.endsWith('… (truncado)')).toBe(true);
  });
});

describe.each([
  ['csv', writeCsv],
  ['xlsx', writeXlsx],
] as const)('%s backpressure and failures', (_format, write) => {
  /** Rows whose names do not compress, so the file is as large as it looks. */
  const many = (count: number): Row[] =>
    Array.from({ length: count }, (_, i) => ({ ean: String(7890000000000 + i), name: `Produto ${Math.random().toString(36)} ${i}`, quantity: i, price: i / 100, at: AT, active: true }));

  it('takes no further batch while the reader does not read, and finishes once it does', async () => {
    let pulled = 0;
    async function* counted() {
      for (const batch of chunks(many(50_000), 1000)) {
        pulled++;
        yield await Promise.resolve(batch);
      }
    }
    const out = new PassThrough({ highWaterMark: 16 * 1024 });
    const writing = write(sheet, counted(), out);
    // Settles once the buffers on the way are full (a few hundred ms, more on a busy machine), then stays there.
    let whileUnread = -1;
    for (let still = 0, i = 0; still < 2 && i < 30; i++) {
      still = pulled === whileUnread ? still + 1 : 0;
      whileUnread = pulled;
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    await new Promise((resolve) => setTimeout(resolve, 800));
    // A batch of 1,000 rows is ~60 KB of CSV (~130 KB of sheet XML, a third of it once zipped): what fills the
    // buffers on the way (16 KB marks) stops the writer, which takes no batch more until the reader reads; without
    // backpressure all 50 are taken within the first second.
    expect(pulled).toBe(whileUnread);
    expect(pulled).toBeLessThanOrEqual(10);
    let received = 0;
    out.on('data', (chunk: Buffer) => (received += chunk.length));
    const figures = await writing;
    expect(pulled).toBe(50);
    expect(figures.rows).toBe(50_000);
    expect(received).toBe(figures.bytes);
  });

  it('writes nothing when the first batch fails, and leaves the file unended when a later one does', async () => {
    async function* failing(after: number) {
      yield* batchesOf(many(after * 10), 10);
      throw new Error('the query failed');
    }
    const early = collector();
    await expect(write(sheet, failing(0), early.out)).rejects.toThrow('the query failed');
    expect(early.bytes().length).toBe(0);
    expect(early.out.writableEnded).toBe(false);

    const late = collector();
    await expect(write(sheet, failing(3), late.out)).rejects.toThrow('the query failed');
    expect(late.out.writableEnded).toBe(false);
  });

  it('stops pulling batches once the reader has gone away', async () => {
    let pulled = 0;
    let closed = false;
    const batches = chunks(many(100_000), 1000);
    // As postgres.js's cursor: an async iterator whose return() (closing the cursor) answers synchronously.
    const cursor: AsyncIterable<Row[]> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          const next = batches.next();
          if (!next.done) pulled++;
          return next;
        },
        return: (() => {
          closed = true;
          return { done: true, value: undefined };
        }) as unknown as () => Promise<IteratorResult<Row[]>>,
      }),
    };
    const out = new PassThrough({ highWaterMark: 16 * 1024 });
    const writing = write(sheet, cursor, out);
    await new Promise((resolve) => setTimeout(resolve, 100));
    out.destroy();
    await expect(writing).rejects.toThrow(/aborted|destroyed/);
    expect(pulled).toBeLessThan(100);
    expect(closed).toBe(true);
  });
});
