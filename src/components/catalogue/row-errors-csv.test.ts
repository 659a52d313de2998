import { describe, expect, it } from 'vitest';
import { rowErrorsCsv } from './row-errors-csv';

describe('rowErrorsCsv', () => {
  it('writes one line per refused row with its reasons in Portuguese, for Excel (BOM, semicolons)', () => {
    const csv = rowErrorsCsv([
      { line: 2, ean: '7891000100103', errors: [{ reason: 'required', params: { field: 'name' } }] },
      { line: 9, ean: null, errors: [{ reason: 'ean_digits', params: { field: 'ean' } }] },
      { line: 12, ean: '0012345', errors: [{ reason: 'ean_digits', params: { field: 'ean' } }] },
    ]);
    expect(csv.startsWith('\uFEFFLinha;EAN;Motivos\r\n')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('2;="7891000100103";"falta o nome"');
    expect(lines[2]).toBe('9;"";"o EAN deve ter 13 dígitos"');
    expect(lines[3]).toBe('12;="0012345";"o EAN deve ter 13 dígitos"');
  });

  it('never hands a spreadsheet a formula, and quotes what would break the columns', () => {
    const csv = rowErrorsCsv([{ line: 3, ean: '=HYPERLINK("http://evil.example";"x")', errors: [{ reason: 'ean_digits', params: {} }] }]);
    expect(csv).toContain(`3;"'=HYPERLINK(""http://evil.example"";""x"")";`);
  });
});
