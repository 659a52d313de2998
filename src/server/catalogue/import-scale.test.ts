import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '~/lib/ean';
import { callerFor, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { eq } from 'drizzle-orm';
import { importReports } from '../db/schema';
import type { Services } from '../services';

let services: Services;
let close: () => Promise<void>;
let org: OrgFixture;

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'import-scale');
});
afterAll(() => close());

const ean = (i: number) => withCheckDigit(`20${String(i).padStart(10, '0')}`);

describe('big imports', () => {
  it('70,000 distinct buyer e-mails and PLUs are checked in a few statements, and the answer lists the first 1,000 bad rows', async () => {
    const rows = Array.from({ length: 70_000 }, (_, i) => `${ean(i)};Produto ${i};comprador-${i}@import-scale.test;${String(10_000 + i)}`);
    const buyer = await callerFor(services, { sessionSecret: org.secrets.buyer });
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const result = await buyer.products.importCsv({ csv: `ean;nome;comprador;plu\n${rows.join('\n')}` });
    loop.disable();
    expect(result).toMatchObject({ created: 0, updated: 0, rejected: 70_000, errorsTruncated: true });
    expect(result.errors).toHaveLength(1000);
    expect(result.errors[0]).toMatchObject({ line: 2, errors: [{ reason: 'buyer_email_unknown', params: { email: 'comprador-0@import-scale.test' } }] });
    // Parsing and checking yield to the event loop: other requests are never held for seconds.
    expect(loop.max / 1e6).toBeLessThan(1000);
  }, 120_000);

  it('the stock import lists the first 1,000 bad rows and counts all of them', async () => {
    const manager = await callerFor(services, { sessionSecret: org.secrets.manager });
    const csv = `ean;quantidade\n${Array.from({ length: 5_000 }, (_, i) => `${ean(i)};1`).join('\n')}`;
    const result = await manager.inventory.stock.importCsv({ storeId: org.stores[0]!.id, csv });
    expect(result).toMatchObject({ created: 0, rejected: 5_000, errorsTruncated: true });
    expect(result.errors).toHaveLength(1000);
    expect(result.errors.at(-1)!.line).toBe(1001);
  }, 60_000);

  it('the full list of bad rows is downloadable by whoever imported (and the admin), by no one else', async () => {
    const buyer = await callerFor(services, { sessionSecret: org.secrets.buyer });
    const csv = `ean;nome\n${Array.from({ length: 2_500 }, (_, i) => `${ean(i)};`).join('\n')}\n${ean(999_999)};Produto bom`;
    const result = await buyer.products.importCsv({ csv });
    expect(result).toMatchObject({ created: 1, rejected: 2_500, errorsTruncated: true, reportId: expect.any(String) });
    const report = await buyer.imports.errorReport({ id: result.reportId! });
    expect(report).toMatchObject({ kind: 'products', rejected: 2_500 });
    expect(report.errors.map((e) => e.line)).toEqual(Array.from({ length: 2_500 }, (_, i) => i + 2));
    expect(report.errors[2_499]).toMatchObject({ ean: ean(2_499), errors: [{ reason: 'required', params: { field: 'name' } }] });
    const admin = await callerFor(services, { sessionSecret: org.secrets.admin });
    expect((await admin.imports.errorReport({ id: result.reportId! })).rejected).toBe(2_500);
    const manager = await callerFor(services, { sessionSecret: org.secrets.manager });
    await expect(manager.imports.errorReport({ id: result.reportId! })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A clean import keeps no report.
    const clean = await buyer.products.importCsv({ csv: `ean;nome\n${ean(999_998)};Outro produto` });
    expect([clean.rejected, clean.reportId]).toEqual([0, null]);
  }, 60_000);

  it('a file of more than 200,000 rows is refused whole, before its rows are checked', async () => {
    const buyer = await callerFor(services, { sessionSecret: org.secrets.buyer });
    const reportsBefore = await services.db.$count(importReports, eq(importReports.orgId, org.org.id));
    const rows = (n: number) => `ean;nome\n${'1;a\n'.repeat(n)}`;
    await expect(buyer.products.importCsv({ csv: rows(200_001) })).rejects.toMatchObject({ code: 'BAD_REQUEST', cause: { reason: 'csv_too_many_rows', data: { max: 200_000 } } });
    expect(await services.db.$count(importReports, eq(importReports.orgId, org.org.id))).toBe(reportsBefore);
  }, 60_000);
});
