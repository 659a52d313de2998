import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '~/lib/ean';
import { createOperatorFixture, createOrgFixture, createTestServices, type OrgFixture } from '../../../tests/helpers/harness';
import { as } from '../../../tests/helpers/inventory';
import { SESSION_COOKIE } from '../auth/secrets';
import { products } from '../db/schema';
import { createAppServer } from '../http/server';
import type { Services } from '../services';

let services: Services;
let close: () => Promise<void>;
let app: ReturnType<typeof createAppServer>;
let base: string;
let org: OrgFixture;
let other: OrgFixture;
/** 25 products of `org`, in name order: "Produto 01" … "Produto 25". */
let many: { id: string; ean: string; name: string }[];
/** A code another system left with a wrong check digit (the table only checks its 13 digits). */
let internal: { id: string; ean: string };

beforeAll(async () => {
  ({ services, close } = await createTestServices());
  org = await createOrgFixture(services, 'lbl');
  other = await createOrgFixture(services, 'lbl-other');
  app = createAppServer({ services });
  base = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  many = await services.db
    .insert(products)
    .values(
      Array.from({ length: 25 }, (_, i) => ({
        orgId: org.org.id,
        ean: withCheckDigit(`7890000${String(i + 1).padStart(5, '0')}`),
        name: `Produto ${String(i + 1).padStart(2, '0')}`,
        brand: i % 2 === 0 ? 'Marca Par' : null,
        referencePrice: i === 0 ? 0 : i + 0.9,
      })),
    )
    .returning({ id: products.id, ean: products.ean, name: products.name });
  const valid = withCheckDigit('789000009999');
  const [row] = await services.db
    .insert(products)
    .values({ orgId: org.org.id, ean: valid.slice(0, 12) + String((Number(valid[12]) + 1) % 10), name: 'Código antigo', referencePrice: 3.5, unit: 'kg', plu: '0042' })
    .returning({ id: products.id, ean: products.ean });
  internal = row!;
});
afterAll(async () => {
  await app.shutdown(1000);
  await close();
});

type Who = { secret?: string; bearer?: string; headers?: Record<string, string> };
const as_ = (fixture: OrgFixture, role: keyof OrgFixture['secrets']): Who => ({ secret: fixture.secrets[role] });

async function post(body: unknown, who: Who = {}, opts: { method?: string; raw?: string } = {}) {
  return fetch(`${base}/api/labels.pdf`, {
    method: opts.method ?? 'POST',
    headers: {
      'content-type': 'application/json',
      ...(who.secret ? { cookie: `${SESSION_COOKIE}=${who.secret}` } : {}),
      ...(who.bearer ? { authorization: `Bearer ${who.bearer}` } : {}),
      ...who.headers,
    },
    body: opts.method === 'GET' ? undefined : (opts.raw ?? JSON.stringify(body)),
  });
}

/** What a test needs of a PDF of ours: its pages, and the text of each text operator in order (streams inflated). */
function readPdf(file: Buffer) {
  const text = file.toString('latin1');
  const pages = (text.match(/\/Type \/Page\b(?!s)/g) ?? []).length;
  const strings: string[] = [];
  for (const match of text.matchAll(/stream\r?\n/g)) {
    const start = match.index + match[0].length;
    const end = text.indexOf('endstream', start);
    let content: string;
    try {
      content = inflateSync(file.subarray(start, end)).toString('latin1');
    } catch {
      continue; // not a content stream of text (a font's, an image's)
    }
    for (const op of content.matchAll(/\[([^\]]*)\] TJ/g)) {
      strings.push([...op[1]!.matchAll(/<([0-9a-f]*)>/g)].map((hex) => Buffer.from(hex[1]!, 'hex').toString('latin1')).join(''));
    }
  }
  return { pages, strings, all: strings.join('') };
}

async function pdfOf(body: unknown, who: Who) {
  const res = await post(body, who);
  expect(res.status, await res.clone().text().then((t) => t.slice(0, 300))).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  const file = Buffer.from(await res.arrayBuffer());
  expect(file.subarray(0, 5).toString()).toBe('%PDF-');
  expect(file.subarray(-6).toString()).toMatch(/%%EOF\n?$/);
  return { res, file, ...readPdf(file) };
}

const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' }).format(new Date());

describe('POST /api/labels.pdf', () => {
  it('puts one label per id on as many A4 sheets as they fill, after the positions a used sheet has lost', async () => {
    const ids = many.map((p) => p.id);
    expect((await pdfOf({ productIds: ids, layout: 'a4-21' }, as_(org, 'clerk'))).pages).toBe(2);
    expect((await pdfOf({ productIds: ids, layout: 'a4-21', skip: 20 }, as_(org, 'clerk'))).pages).toBe(3);
    expect((await pdfOf({ productIds: ids, layout: 'a4-65', skip: 40 }, as_(org, 'clerk'))).pages).toBe(1);
    expect((await pdfOf({ productIds: ids, layout: 'a4-14' }, as_(org, 'clerk'))).pages).toBe(2);
    // An id given twice prints twice: 15 labels of 14 per sheet.
    expect((await pdfOf({ productIds: [...ids.slice(0, 14), ids[0]], layout: 'a4-14' }, as_(org, 'clerk'))).pages).toBe(2);
  });

  it('prints each product’s name, brand, reference price and the EAN-13 digits under its bars, in the order given', async () => {
    const picked = [many[3]!, many[0]!, many[2]!];
    const { strings, all } = await pdfOf({ productIds: picked.map((p) => p.id), layout: 'a4-21' }, as_(org, 'buyer'));
    // Every digit of the code under its bars, in order; the first product given is the first label written.
    expect(all.indexOf(picked[0]!.ean)).toBeLessThan(all.indexOf(picked[1]!.ean));
    expect(all.indexOf(picked[1]!.ean)).toBeLessThan(all.indexOf(picked[2]!.ean));
    expect(strings).toEqual(expect.arrayContaining(['Produto 04', 'Produto 01', 'Produto 03', 'Marca Par', 'R$ 3,90', 'R$ 2,90']));
    // "Produto 01" has no reference price (0): no price at all, rather than R$ 0,00.
    expect(all).not.toContain('R$ 0,00');
    expect(strings.filter((s) => s.startsWith('R$'))).toHaveLength(2);
  });

  it('prints a code with a wrong check digit as Code 128 with its 13 digits in one line, and the price per kg', async () => {
    const { strings } = await pdfOf({ productIds: [internal.id], layout: 'a4-14' }, as_(org, 'manager'));
    expect(strings).toContain(internal.ean);
    expect(strings).toEqual(expect.arrayContaining(['Código antigo', 'PLU 0042', 'R$ 3,50', '/kg']));
  });

  it('answers with the headers of a download: dated name, PDF, no-store, chunked', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(`${base}/api/labels.pdf`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: `${SESSION_COOKIE}=${org.secrets.admin}` } }, resolve);
      req.on('error', reject);
      req.end(JSON.stringify({ productIds: [many[0]!.id], layout: 'a4-65' }));
    });
    res.resume();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="etiquetas-65-por-folha-${today}.pdf"`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it("never prints another org's product: its id is answered as an unknown one (404) and no PDF is written", async () => {
    const foreign = other.products[0]!.id;
    const mixed = await post({ productIds: [many[0]!.id, foreign], layout: 'a4-21' }, as_(org, 'admin'));
    expect(mixed.status).toBe(404);
    expect(mixed.headers.get('content-type')).toMatch(/^application\/json/);
    expect(mixed.headers.get('content-disposition')).toBeNull();
    expect(await mixed.json()).toMatchObject({ reason: 'not_found', details: { entity: 'product', field: 'productIds', ids: [foreign], missing: 1 } });
    // The other org's own people print theirs, never org's.
    const reverse = await post({ productIds: [many[0]!.id], layout: 'a4-21' }, as_(other, 'admin'));
    expect(reverse.status).toBe(404);
    const unknown = randomUUID();
    expect(await (await post({ productIds: [unknown], layout: 'a4-21' }, as_(org, 'admin'))).json()).toMatchObject({ details: { ids: [unknown] } });
    const theirs = await pdfOf({ productIds: [foreign], layout: 'a4-21' }, as_(other, 'clerk'));
    expect(theirs.all).toContain(other.products[0]!.ean);
    expect(theirs.all).not.toContain(many[0]!.ean);
  });

  it('needs a session or an API token (401), and takes a bearer token as the user it acts for', async () => {
    const anonymous = await post({ productIds: [many[0]!.id], layout: 'a4-21' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ reason: 'signed_out' });
    expect((await post({ productIds: [many[0]!.id], layout: 'a4-21' }, { secret: 'not-a-session' })).status).toBe(401);
    const admin = await as(services, org, 'admin');
    const { token } = await admin.admin.tokens.create({ name: 'labels', userId: org.users.clerk.id });
    const scripted = await pdfOf({ productIds: [many[1]!.id], layout: 'a4-21' }, { bearer: token });
    expect(scripted.all).toContain(many[1]!.ean);
  });

  it('refuses the platform operator and requests another site makes a browser send', async () => {
    const { secret } = await createOperatorFixture(services, 'lbl');
    const operator = await post({ productIds: [many[0]!.id], layout: 'a4-21' }, { secret });
    expect(operator.status).toBe(403);
    expect(await operator.json()).toMatchObject({ reason: 'operator_outside_orgs' });
    for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
      const crossSite = await post({ productIds: [many[0]!.id], layout: 'a4-21' }, { ...as_(org, 'admin'), headers });
      expect(crossSite.status).toBe(403);
      expect(await crossSite.json()).toMatchObject({ reason: 'cross_site' });
    }
    const sameSite = await post({ productIds: [many[0]!.id], layout: 'a4-21' }, { ...as_(org, 'admin'), headers: { origin: base } });
    expect(sameSite.status).toBe(200);
    await sameSite.arrayBuffer();
  });

  it('answers bad input with 400 and its reason, over 1,000 labels included; other methods get 405', async () => {
    const who = as_(org, 'manager');
    const issuesOf = async (body: unknown, raw?: string) => {
      const res = await post(body, who, { raw });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-disposition')).toBeNull();
      return res.json() as Promise<{ reason: string; issues?: { reason: string; params: Record<string, unknown> }[]; details?: Record<string, unknown> }>;
    };
    expect(await issuesOf({ productIds: [], layout: 'a4-21' })).toMatchObject({ reason: 'invalid_input', issues: [{ reason: 'too_few', params: { field: 'productIds' } }] });
    expect(await issuesOf({ productIds: ['abc'], layout: 'a4-21' })).toMatchObject({ issues: [{ reason: 'invalid_id', params: { field: 'productIds' } }] });
    expect(await issuesOf({ productIds: [many[0]!.id], layout: 'letter-30' })).toMatchObject({ issues: [{ reason: 'invalid_option', params: { field: 'layout' } }] });
    expect(await issuesOf({ productIds: [many[0]!.id], layout: 'a4-21', skip: -1 })).toMatchObject({ issues: [{ reason: 'too_small', params: { field: 'skip' } }] });
    expect(await issuesOf({ productIds: [many[0]!.id], layout: 'a4-21', copies: 2 })).toMatchObject({ issues: [{ reason: 'unknown_field' }] });
    expect(await issuesOf({ productIds: [many[0]!.id], layout: 'a4-21', skip: 21 })).toMatchObject({ reason: 'skip_past_sheet', details: { field: 'skip', max: 20 } });
    expect(await issuesOf(null, '{"productIds": [')).toMatchObject({ reason: 'unreadable_input' });
    expect(await issuesOf({ productIds: [`${many[0]!.id}\u0000`], layout: 'a4-21' })).toMatchObject({ reason: 'nul_character' });
    const tooMany = await issuesOf({ productIds: Array.from({ length: 1001 }, () => many[0]!.id), layout: 'a4-65' });
    expect(tooMany).toMatchObject({ reason: 'too_many_labels', details: { max: 1000, count: 1001 } });
    // A thousand is allowed: 16 sheets of 65.
    expect((await pdfOf({ productIds: Array.from({ length: 1000 }, (_, i) => many[i % many.length]!.id), layout: 'a4-65' }, who)).pages).toBe(16);

    const get = await post(null, who, { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('refuses a body over 1 MB with 413 without reading the rest', async () => {
    const res = await post(null, as_(org, 'admin'), { raw: JSON.stringify({ productIds: [], layout: 'a4-21', pad: 'x'.repeat(1024 * 1024) }) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ reason: 'payload_too_large' });
  });
});
