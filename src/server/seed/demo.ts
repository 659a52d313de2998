import { sql as sqlFragment } from 'drizzle-orm';
import type { Sql } from 'postgres';
import { businessDay } from '~/lib/business-time';
import { withCheckDigit } from '~/lib/ean';
import { hashPassword } from '~/server/auth/password';
import type { Database, Transaction } from '../db/client';
import { scheduleDueTasks } from '../compliance/queries';
import { recordOpeningBalances } from '../stock/queries';
import {
  categoryBuyers,
  complianceTemplates,
  complianceTemplateStores,
  organizations,
  products,
  purchaseRequestItems,
  purchaseRequests,
  storeMemberships,
  storeStock,
  stores,
  users,
  type UserRole,
} from '../db/schema';
import { Prng, hashString } from './prng';
import { storeDailyStatsFromRequests } from './scale';

export const DEMO_ORG_SLUG = 'demo';
export const DEMO_PASSWORD = 'demo1234';

export type DemoLogin = { email: string; password: string; role: UserRole; name: string };

type DemoUserKey = 'admin' | 'manager' | 'buyer' | 'buyer2' | 'cashier' | 'stockist';
type StoreKey = 'centro' | 'bairro' | 'shopping';

const DEMO_USERS: Record<DemoUserKey, { email: string; name: string; role: UserRole; stores: StoreKey[] }> = {
  admin: { email: 'admin@demo.test', name: 'Adriana Administradora', role: 'admin', stores: [] },
  manager: { email: 'gerente@demo.test', name: 'Gilberto Gerente', role: 'manager', stores: ['centro', 'bairro', 'shopping'] },
  buyer: { email: 'comprador@demo.test', name: 'Carlos Comprador', role: 'buyer', stores: [] },
  buyer2: { email: 'comprador2@demo.test', name: 'Beatriz Compras', role: 'buyer', stores: [] },
  cashier: { email: 'caixa@demo.test', name: 'Camila Caixa', role: 'clerk', stores: ['centro'] },
  stockist: { email: 'estoque@demo.test', name: 'Everton Estoque', role: 'clerk', stores: ['bairro', 'shopping'] },
};

export const DEMO_LOGINS: DemoLogin[] = Object.values(DEMO_USERS).map(({ email, name, role }) => ({ email, password: DEMO_PASSWORD, role, name }));

const DEMO_STORES: Record<StoreKey, { code: string; name: string; city: string }> = {
  centro: { code: 'CEN', name: 'Loja Centro', city: 'São Paulo' },
  bairro: { code: 'BAI', name: 'Loja Bairro', city: 'São Paulo' },
  shopping: { code: 'SHO', name: 'Loja Shopping', city: 'Campinas' },
};

const CATEGORY_BUYER: Record<string, 'buyer' | 'buyer2'> = {
  Mercearia: 'buyer',
  Bebidas: 'buyer',
  Laticínios: 'buyer',
  Hortifrúti: 'buyer',
  Açougue: 'buyer',
  Limpeza: 'buyer2',
  'Higiene Pessoal': 'buyer2',
  Padaria: 'buyer2',
  Frios: 'buyer2',
};

/** [name, brand, category, reference price in centavos, PLU for items sold by weight] */
type DemoProduct = [string, string | null, string, number, string?];

const DEMO_PRODUCTS: DemoProduct[] = [
  ['Arroz Branco Tipo 1 Camil 5kg', 'Camil', 'Mercearia', 2790],
  ['Feijão Carioca Kicaldo 1kg', 'Kicaldo', 'Mercearia', 849],
  ['Açúcar Refinado União 1kg', 'União', 'Mercearia', 499],
  ['Óleo de Soja Liza 900ml', 'Liza', 'Mercearia', 789],
  ['Café Torrado e Moído Pilão 500g', 'Pilão', 'Mercearia', 1890],
  ['Macarrão Espaguete Renata 500g', 'Renata', 'Mercearia', 479],
  ['Farinha de Trigo Dona Benta 1kg', 'Dona Benta', 'Mercearia', 549],
  ['Sal Refinado Cisne 1kg', 'Cisne', 'Mercearia', 299],
  ['Molho de Tomate Fugini 340g', 'Fugini', 'Mercearia', 269],
  ['Extrato de Tomate Elefante 340g', 'Elefante', 'Mercearia', 649],
  ['Biscoito Cream Cracker Vitarella 400g', 'Vitarella', 'Mercearia', 599],
  ['Achocolatado em Pó Nescau 400g', 'Nescau', 'Mercearia', 949],
  ['Refrigerante Coca-Cola 2L', 'Coca-Cola', 'Bebidas', 1099],
  ['Refrigerante Guaraná Antarctica 2L', 'Antarctica', 'Bebidas', 899],
  ['Água Mineral sem Gás Crystal 1,5L', 'Crystal', 'Bebidas', 329],
  ['Suco de Uva Integral Aurora 1,5L', 'Aurora', 'Bebidas', 1990],
  ['Cerveja Skol Lata 350ml', 'Skol', 'Bebidas', 379],
  ['Cerveja Heineken Long Neck 330ml', 'Heineken', 'Bebidas', 699],
  ['Néctar de Pêssego Del Valle 1L', 'Del Valle', 'Bebidas', 749],
  ['Água de Coco Kero Coco 1L', 'Kero Coco', 'Bebidas', 1190],
  ['Leite UHT Integral Piracanjuba 1L', 'Piracanjuba', 'Laticínios', 549],
  ['Leite UHT Desnatado Italac 1L', 'Italac', 'Laticínios', 529],
  ['Iogurte Natural Nestlé 170g', 'Nestlé', 'Laticínios', 349],
  ['Manteiga com Sal Aviação 200g', 'Aviação', 'Laticínios', 1490],
  ['Requeijão Cremoso Itambé 200g', 'Itambé', 'Laticínios', 899],
  ['Creme de Leite Nestlé 200g', 'Nestlé', 'Laticínios', 399],
  ['Leite Condensado Moça 395g', 'Moça', 'Laticínios', 799],
  ['Banana Prata kg', null, 'Hortifrúti', 699, '10001'],
  ['Tomate Italiano kg', null, 'Hortifrúti', 899, '10002'],
  ['Batata Inglesa kg', null, 'Hortifrúti', 549, '10003'],
  ['Cebola kg', null, 'Hortifrúti', 499, '10004'],
  ['Alface Crespa un', 'Fazenda Nova', 'Hortifrúti', 349],
  ['Ovos Brancos Mantiqueira 12un', 'Mantiqueira', 'Hortifrúti', 1190],
  ['Picanha Bovina kg', null, 'Açougue', 7990, '10010'],
  ['Contrafilé kg', null, 'Açougue', 4990, '10011'],
  ['Filé de Peito de Frango Seara 1kg', 'Seara', 'Açougue', 2190],
  ['Linguiça Toscana Perdigão 1kg', 'Perdigão', 'Açougue', 2290],
  ['Carne Moída Bovina Friboi 500g', 'Friboi', 'Açougue', 1990],
  ['Detergente Líquido Ypê 500ml', 'Ypê', 'Limpeza', 249],
  ['Sabão em Pó Omo 1,6kg', 'Omo', 'Limpeza', 2490],
  ['Amaciante Comfort 2L', 'Comfort', 'Limpeza', 1990],
  ['Água Sanitária Qboa 2L', 'Qboa', 'Limpeza', 649],
  ['Desinfetante Pinho Sol 1L', 'Pinho Sol', 'Limpeza', 999],
  ['Limpador Multiuso Veja 500ml', 'Veja', 'Limpeza', 749],
  ['Esponja Multiuso Scotch-Brite 3un', 'Scotch-Brite', 'Limpeza', 699],
  ['Saco de Lixo Embalixo 50L 10un', 'Embalixo', 'Limpeza', 849],
  ['Sabonete em Barra Dove 90g', 'Dove', 'Higiene Pessoal', 429],
  ['Creme Dental Colgate Total 12 90g', 'Colgate', 'Higiene Pessoal', 899],
  ['Shampoo Seda 325ml', 'Seda', 'Higiene Pessoal', 1290],
  ['Desodorante Aerosol Rexona 150ml', 'Rexona', 'Higiene Pessoal', 1590],
  ['Papel Higiênico Neve Folha Dupla 12 rolos', 'Neve', 'Higiene Pessoal', 2290],
  ['Escova Dental Oral-B', 'Oral-B', 'Higiene Pessoal', 990],
  ['Condicionador Palmolive 350ml', 'Palmolive', 'Higiene Pessoal', 1349],
  ['Pão Francês kg', null, 'Padaria', 1690, '10020'],
  ['Pão de Forma Pullman 500g', 'Pullman', 'Padaria', 999],
  ['Bisnaguinha Seven Boys 300g', 'Seven Boys', 'Padaria', 849],
  ['Torrada Bauducco 142g', 'Bauducco', 'Padaria', 579],
  ['Queijo Muçarela kg', null, 'Frios', 4490, '10030'],
  ['Presunto Cozido Fatiado Sadia 200g', 'Sadia', 'Frios', 899],
  ['Mortadela Bologna kg', null, 'Frios', 2590, '10031'],
];

type DemoItem = { product: string; quantity: number; decision?: 'approved' | 'rejected'; approvedQuantity?: number; reason?: string };
type DemoRequest = {
  store: StoreKey;
  by: DemoUserKey;
  status: 'draft' | 'pending' | 'partially_approved' | 'approved' | 'rejected' | 'closed';
  /** Hours before now. */
  createdHoursAgo: number;
  decidedAfterHours?: number;
  closedAfterHours?: number;
  note?: string;
  items: DemoItem[];
};

const DEMO_REQUESTS: DemoRequest[] = [
  {
    store: 'centro', by: 'cashier', status: 'draft', createdHoursAgo: 1, note: 'Rascunho da reposição de sexta',
    items: [{ product: 'Arroz Branco Tipo 1 Camil 5kg', quantity: 10 }, { product: 'Detergente Líquido Ypê 500ml', quantity: 24 }],
  },
  {
    store: 'centro', by: 'cashier', status: 'pending', createdHoursAgo: 2, note: 'Ruptura na gôndola de bebidas',
    items: [
      { product: 'Refrigerante Coca-Cola 2L', quantity: 24 },
      { product: 'Leite UHT Integral Piracanjuba 1L', quantity: 48 },
      { product: 'Sabão em Pó Omo 1,6kg', quantity: 6 },
      { product: 'Pão de Forma Pullman 500g', quantity: 10 },
    ],
  },
  {
    store: 'bairro', by: 'stockist', status: 'pending', createdHoursAgo: 26,
    items: [
      { product: 'Banana Prata kg', quantity: 30.5 },
      { product: 'Tomate Italiano kg', quantity: 20 },
      { product: 'Papel Higiênico Neve Folha Dupla 12 rolos', quantity: 12 },
    ],
  },
  {
    store: 'shopping', by: 'stockist', status: 'partially_approved', createdHoursAgo: 72, decidedAfterHours: 5, note: 'Promoção de fim de semana',
    items: [
      { product: 'Picanha Bovina kg', quantity: 15, decision: 'approved', approvedQuantity: 10, reason: 'Quantidade ajustada ao giro da loja' },
      { product: 'Cerveja Heineken Long Neck 330ml', quantity: 48, decision: 'rejected', reason: 'Estoque suficiente no CD' },
      { product: 'Shampoo Seda 325ml', quantity: 12, decision: 'approved' },
      { product: 'Desodorante Aerosol Rexona 150ml', quantity: 12, decision: 'rejected', reason: 'Aguardar promoção do fornecedor' },
    ],
  },
  {
    store: 'centro', by: 'manager', status: 'approved', createdHoursAgo: 120, decidedAfterHours: 3,
    items: [
      { product: 'Café Torrado e Moído Pilão 500g', quantity: 20, decision: 'approved' },
      { product: 'Açúcar Refinado União 1kg', quantity: 30, decision: 'approved' },
      { product: 'Óleo de Soja Liza 900ml', quantity: 24, decision: 'approved' },
    ],
  },
  {
    store: 'bairro', by: 'manager', status: 'approved', createdHoursAgo: 192, decidedAfterHours: 20,
    items: [
      { product: 'Sabonete em Barra Dove 90g', quantity: 48, decision: 'approved' },
      { product: 'Creme Dental Colgate Total 12 90g', quantity: 36, decision: 'approved' },
      { product: 'Amaciante Comfort 2L', quantity: 12, decision: 'approved' },
    ],
  },
  {
    store: 'shopping', by: 'stockist', status: 'rejected', createdHoursAgo: 240, decidedAfterHours: 8,
    items: [
      { product: 'Água de Coco Kero Coco 1L', quantity: 24, decision: 'rejected', reason: 'Preço acima do negociado' },
      { product: 'Requeijão Cremoso Itambé 200g', quantity: 24, decision: 'rejected', reason: 'Quantidade acima da média de vendas' },
    ],
  },
  {
    store: 'centro', by: 'cashier', status: 'closed', createdHoursAgo: 336, decidedAfterHours: 6, closedAfterHours: 48, note: 'Reposição semanal',
    items: [
      { product: 'Arroz Branco Tipo 1 Camil 5kg', quantity: 20, decision: 'approved' },
      { product: 'Feijão Carioca Kicaldo 1kg', quantity: 30, decision: 'approved' },
      { product: 'Queijo Muçarela kg', quantity: 8, decision: 'rejected', reason: 'Produto fora de linha' },
    ],
  },
];

/** Serialises concurrent first starts: only one of them seeds. */
const DEMO_SEED_LOCK_ID = 7242002;

/**
 * Seeds the demo organization ("Supermercados Demo") when the database has no organization at all, in one
 * transaction. Returns the demo logins either way, so a start-up banner can print them.
 */
export async function seedDemo(db: Database, sql: Sql): Promise<{ seeded: boolean; logins: DemoLogin[] }> {
  const [existing] = await sql<{ any: boolean }[]>`select exists (select 1 from organizations) as any`;
  if (existing?.any) return { seeded: false, logins: DEMO_LOGINS };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const seeded = await db.transaction(async (tx) => {
    await tx.execute(sqlFragment`select pg_advisory_xact_lock(${DEMO_SEED_LOCK_ID})`);
    const [row] = await tx.select({ id: organizations.id }).from(organizations).limit(1);
    if (row) return false;
    await insertDemo(tx, passwordHash, new Date());
    return true;
  });
  return { seeded, logins: DEMO_LOGINS };
}

async function insertDemo(tx: Transaction, passwordHash: string, now: Date): Promise<void> {
  const rng = Prng.derive(1, 'demo');
  const [org] = await tx
    .insert(organizations)
    .values({ name: 'Supermercados Demo', slug: DEMO_ORG_SLUG, settings: { scaleBarcode: { pluLength: 5, value: 'weight_grams' } } })
    .returning({ id: organizations.id });
  const orgId = org!.id;

  const storeRows = await tx
    .insert(stores)
    .values(Object.values(DEMO_STORES).map((s) => ({ orgId, ...s })))
    .returning({ id: stores.id, code: stores.code });
  const storeId = (key: StoreKey) => storeRows.find((s) => s.code === DEMO_STORES[key].code)!.id;

  const userRows = await tx
    .insert(users)
    .values(Object.values(DEMO_USERS).map(({ email, name, role }) => ({ orgId, email, name, role, passwordHash })))
    .returning({ id: users.id, email: users.email });
  const userId = (key: DemoUserKey) => userRows.find((u) => u.email === DEMO_USERS[key].email)!.id;

  await tx.insert(storeMemberships).values(
    (Object.keys(DEMO_USERS) as DemoUserKey[]).flatMap((key) => DEMO_USERS[key].stores.map((store) => ({ orgId, userId: userId(key), storeId: storeId(store) }))),
  );
  await tx.insert(categoryBuyers).values(Object.entries(CATEGORY_BUYER).map(([category, buyer]) => ({ orgId, category, buyerId: userId(buyer) })));

  const productRows = await tx
    .insert(products)
    .values(
      DEMO_PRODUCTS.map(([name, brand, category, priceCents, plu], i) => ({
        orgId,
        ean: plu ? withCheckDigit(`2${plu}000000`) : withCheckDigit(`789${brandPrefix(brand)}${String(i + 1).padStart(5, '0')}`),
        name,
        brand,
        category,
        unit: plu ? 'kg' : 'un',
        referencePrice: priceCents / 100,
        plu: plu ?? null,
        buyerId: userId(CATEGORY_BUYER[category]!),
      })),
    )
    .returning({ id: products.id, name: products.name, buyerId: products.buyerId });
  const productByName = new Map(productRows.map((p) => [p.name, p]));

  await tx.insert(storeStock).values(
    (Object.keys(DEMO_STORES) as StoreKey[]).flatMap((store) =>
      DEMO_PRODUCTS.map(([name, , , , plu]) => ({
        orgId,
        storeId: storeId(store),
        productId: productByName.get(name)!.id,
        quantity: plu ? rng.int(5_000, 80_000) / 1000 : rng.int(0, 120),
      })),
    ),
  );
  await recordOpeningBalances(tx, orgId);

  const hour = 3600_000;
  for (const request of DEMO_REQUESTS) {
    const requestId = rng.uuid();
    const createdAt = new Date(now.getTime() - request.createdHoursAgo * hour);
    const submitted = request.status !== 'draft';
    const submittedAt = submitted ? new Date(createdAt.getTime() + 10 * 60_000) : null;
    const decidedAt = request.decidedAfterHours === undefined ? null : new Date(submittedAt!.getTime() + request.decidedAfterHours * hour);
    const closedAt = request.closedAfterHours === undefined ? null : new Date(decidedAt!.getTime() + request.closedAfterHours * hour);
    const priced = request.items.map((item) => {
      const product = productByName.get(item.product);
      if (!product) throw new Error(`demo request names an unknown product: ${item.product}`);
      const priceCents = DEMO_PRODUCTS.find(([name]) => name === item.product)![3];
      return { item, product, priceCents };
    });
    // Thousandths of a unit times centavos, so the total rounds like numeric(14,2) does.
    const totalCents = Math.round(priced.reduce((sum, { item, priceCents }) => sum + Math.round(item.quantity * 1000) * priceCents, 0) / 1000);
    await tx.insert(purchaseRequests).values({
      id: requestId,
      orgId,
      storeId: storeId(request.store),
      createdBy: userId(request.by),
      status: request.status,
      note: request.note ?? null,
      totalValue: totalCents / 100,
      itemCount: request.items.length,
      version: closedAt ? 3 : decidedAt ? 2 : 1,
      submittedAt,
      completedAt: decidedAt,
      closedAt,
      closedBy: closedAt ? userId('manager') : null,
      createdAt,
      updatedAt: closedAt ?? decidedAt ?? submittedAt ?? createdAt,
    });
    await tx.insert(purchaseRequestItems).values(
      priced.map(({ item, product, priceCents }) => ({
        orgId,
        requestId,
        productId: product.id,
        buyerId: submitted ? product.buyerId : null,
        quantity: item.quantity,
        unitPrice: priceCents / 100,
        status: item.decision ?? ('pending' as const),
        approvedQuantity: item.decision === 'approved' ? (item.approvedQuantity ?? item.quantity) : null,
        decisionReason: item.reason ?? null,
        decidedBy: item.decision ? product.buyerId : null,
        decidedAt: item.decision ? decidedAt : null,
        version: item.decision ? 2 : 1,
        createdAt,
      })),
    );
  }

  await tx.execute(storeDailyStatsFromRequests(orgId));

  // Compliance: a daily promotion shelf for every store and a weekly cold-room check, so each store has tasks today
  // (or on its days); without Google Vision configured, what is sent waits for a manager's review.
  const allStores = (Object.keys(DEMO_STORES) as StoreKey[]).map(storeId);
  const demoTemplates = [
    {
      title: 'Gôndola da oferta da semana',
      instructions: 'Fotografe a gôndola inteira e, de perto, a etiqueta com o preço promocional.',
      checklist: ['Gôndola abastecida e alinhada', 'Etiqueta de oferta no lugar'],
      photoCount: 2,
      expectedLabels: ['prateleira'],
      expectedTexts: ['R$ 9,99'],
      schedule: 'daily' as const,
      weekdays: [],
      dueTime: '10:00',
    },
    {
      title: 'Geladeiras limpas e organizadas',
      instructions: 'Uma foto de cada geladeira de laticínios, com as portas fechadas.',
      checklist: ['Sem produtos vencidos', 'Vidros limpos'],
      photoCount: 1,
      expectedLabels: ['geladeira'],
      expectedTexts: [],
      schedule: 'weekly' as const,
      weekdays: [1, 4],
      dueTime: '18:00',
    },
  ];
  for (const template of demoTemplates) {
    const templateId = rng.uuid();
    await tx.insert(complianceTemplates).values({ id: templateId, orgId, createdBy: userId('manager'), alwaysReview: false, startsOn: businessDay(), ...template });
    await tx.insert(complianceTemplateStores).values(allStores.map((id) => ({ templateId, orgId, storeId: id, since: businessDay() })));
  }
  await scheduleDueTasks(tx, { orgId });
}

/** A stable 4-digit "company prefix" per brand, so a brand's EANs share their first digits like real ones. */
function brandPrefix(brand: string | null): string {
  return String(hashString(brand ?? 'granel') % 10_000).padStart(4, '0');
}
