import { performance } from 'node:perf_hooks';
import { BUSINESS_TIME_ZONE } from '~/lib/business-time';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql as sqlFragment, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Sql, TransactionSql } from 'postgres';
import { withCheckDigit } from '~/lib/ean';
import { hashPassword } from '~/server/auth/password';
import type { UserRole } from '../db/schema/users';
import { OPENING_OPERATION_ID } from '../stock/queries';
import { Prng } from './prng';

export const SCALE_ORG_SLUG = 'scale';
export const SCALE_ORG_NAME = 'Rede Escala';
export const SCALE_PASSWORD = 'escala123';
// Passed as text and cast: drizzle replaces the driver's jsonb serializer on a shared client, a plain one keeps it.
const SCALE_ORG_SETTINGS = { scaleBarcode: { pluLength: 5, value: 'weight_grams' } };
/** store_daily_stats days are calendar days where the stores are. */
export const STATS_TIME_ZONE = BUSINESS_TIME_ZONE;

const STORE_COUNT = 50;
const ADMIN_COUNT = 5;
const MANAGER_COUNT = 25;
const BUYER_COUNT = 50;
const CLERK_COUNT = 500 - ADMIN_COUNT - MANAGER_COUNT - BUYER_COUNT;
const PRODUCTS_PER_SCALE = 10_000;
const REQUESTS_PER_SCALE = 500;
const ITEMS_PER_REQUEST = 5;
const HISTORY_MS = 60 * 24 * 3600_000;
/** Share of the catalogue each store carries in store_stock. */
const STOCK_SHARE = 0.02;
const MIN_STOCK_PER_STORE = 100;
const DEFAULT_SEED = 20_240_601;

export type SeedLogin = { email: string; password: string; role: UserRole };

export type ScaleSeedOptions = {
  /** 1 = 10,000 products and 500 purchase requests; fractions are allowed (0.1 = 1,000 and 50). */
  scale: number;
  seed?: number;
  /** Request history is laid out over the 60 days before this instant (default: now). */
  now?: Date;
  onProgress?: (msg: string) => void;
};

export type ScaleSeedResult = {
  orgId: string;
  timings: Record<string, number>;
  counts: Record<string, number>;
  logins: SeedLogin[];
};

export type ScaleSize = { products: number; requests: number; items: number; stockPerStore: number };

export function scaleSize(scale: number): ScaleSize {
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError(`scale must be a positive number, got ${scale}`);
  const products = Math.round(PRODUCTS_PER_SCALE * scale);
  const requests = Math.round(REQUESTS_PER_SCALE * scale);
  if (products < 100 || requests < 1) throw new RangeError(`scale ${scale} is too small (the smallest is 0.01)`);
  const stockPerStore = Math.min(products, Math.max(MIN_STOCK_PER_STORE, Math.round(products * STOCK_SHARE)));
  return { products, requests, items: requests * ITEMS_PER_REQUEST, stockPerStore };
}

export const SCALE_LOGINS: SeedLogin[] = [
  { email: 'admin01@scale.test', password: SCALE_PASSWORD, role: 'admin' },
  { email: 'manager01@scale.test', password: SCALE_PASSWORD, role: 'manager' },
  { email: 'buyer01@scale.test', password: SCALE_PASSWORD, role: 'buyer' },
  { email: 'clerk001@scale.test', password: SCALE_PASSWORD, role: 'clerk' },
];

type CategorySpec = {
  name: string;
  items: string[];
  brands: string[];
  sizes: string[];
  /** Reference price range in centavos. */
  price: [number, number];
  unit?: string;
  /** Sold by weight with a PLU: the scale prints the label. */
  byWeight?: string[];
};

const CATEGORIES: CategorySpec[] = [
  { name: 'Mercearia', items: ['Arroz Branco Tipo 1', 'Arroz Parboilizado', 'Arroz Integral', 'Feijão Carioca', 'Feijão Preto', 'Lentilha', 'Grão-de-Bico'], brands: ['Camil', 'Tio João', 'Kicaldo', 'Prato Fino', 'Namorado'], sizes: ['500g', '1kg', '2kg', '5kg'], price: [450, 3290] },
  { name: 'Açúcar e Adoçantes', items: ['Açúcar Refinado', 'Açúcar Cristal', 'Açúcar Mascavo', 'Adoçante Líquido', 'Açúcar Demerara'], brands: ['União', 'Caravelas', 'Da Barra', 'Guarani', 'Zero-Cal'], sizes: ['1kg', '2kg', '5kg', '100ml'], price: [390, 2590] },
  { name: 'Farinhas', items: ['Farinha de Trigo', 'Farinha de Mandioca', 'Fubá Mimoso', 'Polvilho Doce', 'Polvilho Azedo', 'Farofa Pronta'], brands: ['Dona Benta', 'Yoki', 'Sinhá', 'Renata', 'Anaconda'], sizes: ['500g', '1kg', '5kg'], price: [350, 2490] },
  { name: 'Massas', items: ['Macarrão Espaguete', 'Macarrão Parafuso', 'Macarrão Penne', 'Lasanha', 'Macarrão Instantâneo', 'Talharim'], brands: ['Renata', 'Barilla', 'Adria', 'Galo', 'Nissin', 'Santa Amália'], sizes: ['85g', '500g', '1kg'], price: [190, 1590] },
  { name: 'Óleos e Azeites', items: ['Óleo de Soja', 'Óleo de Girassol', 'Azeite Extravirgem', 'Óleo de Canola', 'Vinagre de Álcool'], brands: ['Liza', 'Soya', 'Gallo', 'Andorinha', 'Castelo'], sizes: ['500ml', '900ml', '750ml'], price: [590, 4990] },
  { name: 'Enlatados e Conservas', items: ['Milho Verde', 'Ervilha', 'Atum Ralado', 'Sardinha em Óleo', 'Extrato de Tomate', 'Molho de Tomate', 'Azeitona Verde'], brands: ['Quero', 'Gomes da Costa', 'Coqueiro', 'Elefante', 'Fugini', 'Predilecta'], sizes: ['170g', '200g', '340g', '500g'], price: [290, 1490] },
  { name: 'Biscoitos', items: ['Biscoito Recheado Chocolate', 'Biscoito Cream Cracker', 'Biscoito Maisena', 'Biscoito Água e Sal', 'Wafer Morango', 'Rosquinha de Coco'], brands: ['Bauducco', 'Marilan', 'Piraquê', 'Vitarella', 'Tostines', 'Adria'], sizes: ['100g', '140g', '200g', '400g'], price: [250, 990] },
  { name: 'Matinais', items: ['Café Torrado e Moído', 'Café Extraforte', 'Achocolatado em Pó', 'Cereal Matinal', 'Aveia em Flocos', 'Granola'], brands: ['Pilão', 'Melitta', '3 Corações', 'Nescau', 'Kellogg\'s', 'Quaker'], sizes: ['250g', '400g', '500g', '1kg'], price: [590, 3490] },
  { name: 'Doces e Sobremesas', items: ['Chocolate ao Leite', 'Leite Condensado', 'Creme de Leite', 'Gelatina Morango', 'Goiabada', 'Doce de Leite'], brands: ['Nestlé', 'Garoto', 'Lacta', 'Piracanjuba', 'Dr. Oetker', 'Itambé'], sizes: ['25g', '90g', '200g', '395g', '400g'], price: [190, 1890] },
  { name: 'Temperos', items: ['Sal Refinado', 'Sal Grosso', 'Tempero Completo', 'Caldo de Galinha', 'Orégano', 'Maionese', 'Ketchup', 'Mostarda'], brands: ['Cisne', 'Knorr', 'Sazón', 'Kitano', 'Hellmann\'s', 'Heinz'], sizes: ['1kg', '57g', '250g', '500g'], price: [190, 1590] },
  { name: 'Refrigerantes', items: ['Refrigerante Cola', 'Refrigerante Guaraná', 'Refrigerante Laranja', 'Refrigerante Limão', 'Água Tônica'], brands: ['Coca-Cola', 'Guaraná Antarctica', 'Fanta', 'Sprite', 'Kuat', 'Pepsi'], sizes: ['350ml', '600ml', '1,5L', '2L'], price: [290, 1190] },
  { name: 'Sucos', items: ['Suco de Uva Integral', 'Néctar de Pêssego', 'Suco de Laranja', 'Refresco em Pó Limão', 'Água de Coco'], brands: ['Del Valle', 'Maguary', 'Aurora', 'Tang', 'Kero Coco', 'Do Bem'], sizes: ['25g', '200ml', '1L', '1,5L'], price: [150, 1690] },
  { name: 'Águas', items: ['Água Mineral sem Gás', 'Água Mineral com Gás', 'Água Saborizada'], brands: ['Crystal', 'Bonafont', 'Minalba', 'São Lourenço', 'Lindoya'], sizes: ['500ml', '1,5L', '5L'], price: [150, 990] },
  { name: 'Cervejas', items: ['Cerveja Pilsen', 'Cerveja Puro Malte', 'Cerveja IPA', 'Cerveja sem Álcool'], brands: ['Skol', 'Brahma', 'Heineken', 'Itaipava', 'Amstel', 'Eisenbahn'], sizes: ['269ml', '350ml', '473ml', '600ml'], price: [290, 1290] },
  { name: 'Vinhos e Destilados', items: ['Vinho Tinto Seco', 'Vinho Branco Suave', 'Espumante Brut', 'Cachaça', 'Vodka'], brands: ['Aurora', 'Salton', 'Miolo', 'Pérgola', 'Ypióca', 'Smirnoff'], sizes: ['750ml', '1L'], price: [1590, 8990] },
  { name: 'Laticínios', items: ['Leite UHT Integral', 'Leite UHT Desnatado', 'Iogurte Natural', 'Bebida Láctea Morango', 'Manteiga com Sal', 'Requeijão Cremoso', 'Queijo Minas Frescal'], brands: ['Piracanjuba', 'Italac', 'Itambé', 'Nestlé', 'Danone', 'Aviação', 'Tirolez'], sizes: ['170g', '200g', '500g', '1L'], price: [290, 2490] },
  { name: 'Frios', items: ['Presunto Fatiado', 'Mortadela Fatiada', 'Peito de Peru Defumado', 'Salame Italiano', 'Queijo Prato Fatiado'], brands: ['Sadia', 'Perdigão', 'Seara', 'Aurora', 'Frimesa'], sizes: ['150g', '200g', '500g'], price: [590, 2990], byWeight: ['Queijo Muçarela', 'Presunto Cozido', 'Mortadela Bologna', 'Queijo Prato', 'Salame Milano'] },
  { name: 'Congelados', items: ['Pizza Calabresa', 'Lasanha Bolonhesa', 'Pão de Queijo', 'Batata Pré-Frita', 'Hambúrguer Bovino', 'Empanado de Frango', 'Sorvete Napolitano'], brands: ['Sadia', 'Seara', 'Perdigão', 'Forno de Minas', 'McCain', 'Kibon'], sizes: ['300g', '400g', '600g', '1kg', '1,5L'], price: [790, 3490] },
  { name: 'Açougue', items: ['Carne Moída Bovina', 'Linguiça Toscana', 'Frango Inteiro Congelado', 'Filé de Peito de Frango', 'Bisteca Suína'], brands: ['Friboi', 'Swift', 'Sadia', 'Seara', 'Aurora'], sizes: ['500g', '1kg', '2,5kg'], price: [1290, 4990], byWeight: ['Picanha Bovina', 'Contrafilé', 'Alcatra', 'Costela Bovina', 'Coxa e Sobrecoxa de Frango', 'Pernil Suíno', 'Acém'] },
  { name: 'Hortifrúti', items: ['Alface Crespa', 'Cheiro-Verde', 'Couve Manteiga', 'Rúcula', 'Ovos Brancos', 'Ovos Vermelhos'], brands: ['Hortifruti Sabor', 'Fazenda Nova', 'Granja Mantiqueira', 'Korin'], sizes: ['un', 'maço', '12un', '30un'], price: [290, 2490], byWeight: ['Tomate Italiano', 'Banana Prata', 'Batata Inglesa', 'Cebola', 'Maçã Gala', 'Laranja Pera', 'Mamão Formosa', 'Cenoura'] },
  { name: 'Padaria', items: ['Pão de Forma Tradicional', 'Pão de Forma Integral', 'Bisnaguinha', 'Torrada', 'Bolo Pronto Chocolate'], brands: ['Pullman', 'Wickbold', 'Seven Boys', 'Bauducco', 'Plus Vita'], sizes: ['142g', '300g', '450g', '500g'], price: [490, 1290], byWeight: ['Pão Francês', 'Pão de Queijo Assado', 'Rosca Doce', 'Bolo de Fubá'] },
  { name: 'Limpeza', items: ['Detergente Líquido', 'Sabão em Pó', 'Amaciante', 'Água Sanitária', 'Desinfetante', 'Limpador Multiuso', 'Esponja Multiuso'], brands: ['Ypê', 'Omo', 'Comfort', 'Qboa', 'Veja', 'Pinho Sol', 'Scotch-Brite'], sizes: ['500ml', '1L', '2L', '1kg', '3un'], price: [190, 3990] },
  { name: 'Higiene Pessoal', items: ['Sabonete em Barra', 'Creme Dental', 'Shampoo', 'Condicionador', 'Desodorante Aerosol', 'Papel Higiênico Folha Dupla', 'Escova Dental'], brands: ['Dove', 'Colgate', 'Palmolive', 'Seda', 'Rexona', 'Neve', 'Oral-B'], sizes: ['90g', '150ml', '350ml', '12 rolos', '1un'], price: [190, 2890] },
  { name: 'Bebês', items: ['Fralda Descartável P', 'Fralda Descartável M', 'Fralda Descartável G', 'Lenço Umedecido', 'Leite em Pó Infantil'], brands: ['Pampers', 'Huggies', 'MamyPoko', 'Turma da Mônica', 'Nestlé'], sizes: ['48un', '100un', '400g', '800g'], price: [1290, 8990] },
  { name: 'Pet Shop', items: ['Ração para Cães Adultos', 'Ração para Gatos', 'Petisco para Cães', 'Areia Sanitária'], brands: ['Pedigree', 'Whiskas', 'Golden', 'Premier', 'Friskies'], sizes: ['1kg', '3kg', '10kg', '4kg'], price: [990, 15990] },
  { name: 'Bazar', items: ['Papel Alumínio', 'Filme PVC', 'Saco de Lixo 50L', 'Pilha Alcalina AA', 'Vela de Aniversário', 'Copo Descartável'], brands: ['Wyda', 'Dover Roll', 'Embalixo', 'Duracell', 'Rayovac', 'Copobras'], sizes: ['30cm x 7,5m', '28cm x 30m', '10un', '4un', '100un'], price: [290, 2490], unit: 'un' },
  { name: 'Snacks', items: ['Batata Chips Original', 'Salgadinho de Milho', 'Amendoim Japonês', 'Pipoca de Micro-ondas', 'Torcida Churrasco'], brands: ['Elma Chips', 'Ruffles', 'Cheetos', 'Dori', 'Yoki', 'Lucky'], sizes: ['45g', '80g', '100g', '167g'], price: [250, 1290] },
  { name: 'Bebidas Quentes', items: ['Chá Mate', 'Chá de Camomila', 'Chá Verde', 'Café Solúvel', 'Cappuccino em Pó'], brands: ['Leão', 'Dr. Oetker', 'Nescafé', 'Três Corações', 'Matte Leão'], sizes: ['10 sachês', '100g', '200g'], price: [350, 2290] },
];

const BULK_UNIT = 'kg';
const CASE_UNIT_SHARE = 0.08;
const FIRST_NAMES = ['Ana', 'Bruno', 'Carla', 'Daniel', 'Eduarda', 'Felipe', 'Gabriela', 'Henrique', 'Isabela', 'João', 'Karina', 'Lucas', 'Mariana', 'Nicolas', 'Patrícia', 'Rafael', 'Sabrina', 'Thiago', 'Vanessa', 'Wagner', 'Larissa', 'Marcos', 'Juliana', 'Rodrigo', 'Fernanda', 'Gustavo', 'Camila', 'Leandro', 'Aline', 'Diego'];
const LAST_NAMES = ['Silva', 'Santos', 'Oliveira', 'Souza', 'Rodrigues', 'Ferreira', 'Alves', 'Pereira', 'Lima', 'Gomes', 'Costa', 'Ribeiro', 'Martins', 'Carvalho', 'Almeida', 'Lopes', 'Soares', 'Fernandes', 'Vieira', 'Barbosa', 'Rocha', 'Dias', 'Nascimento', 'Andrade', 'Moreira', 'Nunes', 'Marques', 'Machado', 'Mendes', 'Freitas'];
const CITIES = ['São Paulo', 'Campinas', 'Santos', 'Sorocaba', 'Ribeirão Preto', 'São José dos Campos', 'Jundiaí', 'Piracicaba', 'Bauru', 'Guarulhos', 'Osasco', 'Santo André', 'Belo Horizonte', 'Curitiba', 'Londrina'];
const STORE_AREAS = ['Centro', 'Jardim América', 'Vila Nova', 'Shopping', 'Bela Vista', 'Alto da Boa Vista', 'Parque Industrial', 'Boa Esperança'];
const REQUEST_NOTES = ['Reposição semanal', 'Promoção de fim de semana', 'Ruptura na gôndola', 'Pedido extra para feriado', 'Aumento de giro no mês'];
const REJECTION_REASONS = ['Estoque suficiente no CD', 'Produto fora de linha', 'Preço acima do negociado', 'Quantidade acima da média de vendas', 'Aguardar promoção do fornecedor'];
const REDUCED_REASON = 'Quantidade ajustada ao giro da loja';

type RequestStatus = 'draft' | 'pending' | 'partially_approved' | 'approved' | 'rejected' | 'closed';
const STATUS_MIX: (readonly [RequestStatus, number])[] = [
  ['draft', 3],
  ['pending', 30],
  ['partially_approved', 15],
  ['approved', 30],
  ['rejected', 10],
  ['closed', 12],
];
const UNIT_QUANTITIES = [1, 2, 3, 4, 5, 6, 10, 12, 24, 36, 48];

type SeedUser = { id: string; email: string; name: string; role: UserRole };

/** Catalogue kept in memory while seeding, so purchase requests can copy a product's buyer and price. */
type ProductTable = { ids: string[]; buyer: Uint16Array; priceCents: Uint32Array; byWeight: Uint8Array };

/**
 * Seeds the benchmark organization (slug `scale`), replacing the previous one. Bulk rows go through COPY in one
 * transaction; every index and constraint stays in place, so the timings include their cost.
 */
export async function seedScale(sql: Sql, opts: ScaleSeedOptions): Promise<ScaleSeedResult> {
  const size = scaleSize(opts.scale);
  const seed = opts.seed ?? DEFAULT_SEED;
  const now = (opts.now ?? new Date()).getTime();
  const progress = opts.onProgress ?? (() => {});
  const timings: Record<string, number> = {};
  const started = performance.now();
  const timed = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await fn();
    timings[phase] = Math.round(performance.now() - t0);
    progress(`${phase}: ${(timings[phase] / 1000).toFixed(1)} s`);
    return result;
  };

  const [previous] = await sql<{ id: string }[]>`select id from organizations where slug = ${SCALE_ORG_SLUG}`;
  if (previous) await timed('deletePrevious', () => deleteOrganization(sql, previous.id, progress));

  const passwordHash = await timed('passwordHash', () => hashPassword(SCALE_PASSWORD));
  const orgId = Prng.derive(seed, 'org').uuid();
  const stores = makeStores(Prng.derive(seed, 'stores'));
  const users = makeUsers(Prng.derive(seed, 'users'));
  const byRole = (role: UserRole) => users.filter((u) => u.role === role);
  const managers = byRole('manager');
  const buyers = byRole('buyer');
  const clerks = byRole('clerk');
  const memberships = makeMemberships(Prng.derive(seed, 'memberships'), clerks, managers);
  const categoryBuyer = CATEGORIES.map((_, i) => i % BUYER_COUNT);
  const products: ProductTable = {
    ids: new Array<string>(size.products),
    buyer: new Uint16Array(size.products),
    priceCents: new Uint32Array(size.products),
    byWeight: new Uint8Array(size.products),
  };
  const counts: Record<string, number> = {};

  await sql.begin(async (tx) => {
    await tx`set local statement_timeout = 0`;
    await timed('organization', async () => {
      await tx`
        insert into organizations (id, name, slug, settings)
        values (${orgId}, ${SCALE_ORG_NAME}, ${SCALE_ORG_SLUG}, ${JSON.stringify(SCALE_ORG_SETTINGS)}::text::jsonb)`;
      counts.stores = await copyRows(tx, 'stores', ['id', 'org_id', 'code', 'name', 'city'], stores.map((s) => [s.id, orgId, s.code, s.name, s.city]));
      counts.users = await copyRows(
        tx,
        'users',
        ['id', 'org_id', 'email', 'name', 'role', 'password_hash'],
        users.map((u) => [u.id, orgId, u.email, u.name, u.role, passwordHash]),
      );
      counts.storeMemberships = await copyRows(
        tx,
        'store_memberships',
        ['org_id', 'user_id', 'store_id'],
        [...memberships].flatMap(([userId, storeIdx]) => storeIdx.map((s) => [orgId, userId, stores[s]!.id])),
      );
      counts.categoryBuyers = await copyRows(
        tx,
        'category_buyers',
        ['org_id', 'category', 'buyer_id'],
        CATEGORIES.map((c, i) => [orgId, c.name, buyers[categoryBuyer[i]!]!.id]),
      );
    });

    // The products' search words are written here in one sorted INSERT … SELECT after the COPY, not by the
    // products triggers (migration 0012), which would insert them in the COPY's order: several times slower at 1M.
    await tx`select set_config('myinventory.product_search_words', 'caller', true)`;
    counts.products = await timed('products', () =>
      copyRows(
        tx,
        'products',
        ['id', 'org_id', 'ean', 'name', 'brand', 'category', 'unit', 'reference_price', 'plu', 'buyer_id'],
        productRows(Prng.derive(seed, 'products'), seed, orgId, products, categoryBuyer, buyers),
      ),
    );
    counts.productSearchWords = await timed('productSearchWords', async () => {
      const result = await tx`
        insert into product_search_words (org_id, word, name_key, product_id)
        select p.org_id, w, p.name_key, p.id from products p, unnest(string_to_array(btrim(p.search_words), ' ')) w
         where p.org_id = ${orgId}
         order by 1, 2, 3, 4`;
      return result.count;
    });
    await tx`select set_config('myinventory.product_search_words', '', true)`;

    await timed('purchaseRequests', async () => {
      const { requests, items } = makeRequests(Prng.derive(seed, 'requests'), {
        count: size.requests,
        now,
        orgId,
        stores,
        clerks,
        managers,
        memberships,
        products,
        buyers,
      });
      counts.purchaseRequests = await copyRows(tx, 'purchase_requests', REQUEST_COLUMNS, requests);
      counts.purchaseRequestItems = await copyRows(tx, 'purchase_request_items', ITEM_COLUMNS, items);
    });

    counts.storeStock = await timed('storeStock', () =>
      copyRows(tx, 'store_stock', ['org_id', 'store_id', 'product_id', 'quantity'], stockRows(Prng.derive(seed, 'stock'), orgId, stores, products, size.stockPerStore)),
    );
    // The stock ledger's `opening` movement of each balance (balance = sum of movements).
    counts.stockMovements = await timed('stockMovements', async () => {
      const result = await tx`
        insert into stock_movements (org_id, store_id, product_id, quantity, kind, operation_id, balance_after)
        select org_id, store_id, product_id, quantity, 'opening', ${OPENING_OPERATION_ID}, quantity
          from store_stock where org_id = ${orgId} and quantity <> 0`;
      return result.count;
    });

    counts.storeDailyStats = await timed('storeDailyStats', async () => {
      const query = new PgDialect().sqlToQuery(storeDailyStatsFromRequests(orgId));
      const result = await tx.unsafe(query.sql, query.params as string[]);
      return result.count;
    });
  });

  // Product search reads the word table with index-only scans; until a vacuum sets its visibility map they read the
  // heap too (autovacuum would, later: it is off on some test servers).
  await timed('vacuumSearchWords', () => vacuum(sql, ['product_search_words']));
  await timed('analyze', () =>
    sql.begin(async (tx) => {
      await tx`set local statement_timeout = 0`;
      await tx`analyze organizations, stores, users, store_memberships, category_buyers, products, product_search_words, purchase_requests, purchase_request_items, store_stock, store_daily_stats`;
    }),
  );
  counts.organizations = 1;
  timings.total = Math.round(performance.now() - started);
  return { orgId, timings, counts, logins: SCALE_LOGINS };
}

/**
 * Rebuilds an organization's request counters in store_daily_stats from its purchase requests: requests and their
 * value on the day they were submitted, item decisions on the day they were made. Shared by both seeds.
 */
export function storeDailyStatsFromRequests(orgId: string): SQL {
  return sqlFragment`
    insert into store_daily_stats (org_id, store_id, day, requests_created, requests_value, items_approved, items_rejected)
    select ${orgId}::uuid, store_id, day, sum(created), sum(value), sum(approved), sum(rejected)
    from (
      select r.store_id, (r.submitted_at at time zone ${STATS_TIME_ZONE}::text)::date as day,
             1 as created, r.total_value as value, 0 as approved, 0 as rejected
      from purchase_requests r
      where r.org_id = ${orgId}::uuid and r.status <> 'draft'
      union all
      select r.store_id, (i.decided_at at time zone ${STATS_TIME_ZONE}::text)::date,
             0, 0, (i.status = 'approved')::int, (i.status = 'rejected')::int
      from purchase_request_items i
      join purchase_requests r on r.id = i.request_id
      where i.org_id = ${orgId}::uuid and i.status <> 'pending'
    ) facts
    group by store_id, day
    on conflict (store_id, day) do update set
      requests_created = excluded.requests_created,
      requests_value = excluded.requests_value,
      items_approved = excluded.items_approved,
      items_rejected = excluded.items_rejected`;
}

/**
 * Removes an organization and everything it owns, children first (several foreign keys do not cascade).
 * The referencing tables are vacuumed before the products go: their product foreign keys have no index, so each
 * deleted product scans them, which is only cheap once the dead rows are gone.
 */
async function deleteOrganization(sql: Sql, orgId: string, progress: (msg: string) => void): Promise<void> {
  progress(`deleting the previous "${SCALE_ORG_SLUG}" organization`);
  await sql.begin(async (tx) => {
    await tx`set local statement_timeout = 0`;
    await tx`delete from purchase_request_items where org_id = ${orgId}`;
    await tx`delete from purchase_requests where org_id = ${orgId}`;
    await tx`delete from store_daily_stats where org_id = ${orgId}`;
    await tx`delete from stock_movements where org_id = ${orgId}`;
    await tx`delete from receipts where org_id = ${orgId}`;
    await tx`delete from reorder_rules where org_id = ${orgId}`;
    await tx`delete from store_stock where org_id = ${orgId}`;
    // Cascades to count entries, assignments, expected quantities, devices and totals.
    await tx`delete from count_entries where org_id = ${orgId}`;
    await tx`delete from inventory_sessions where org_id = ${orgId}`;
    await tx`delete from compliance_submissions where org_id = ${orgId}`;
    await tx`delete from compliance_tasks where org_id = ${orgId}`;
    await tx`delete from notifications where org_id = ${orgId}`;
    await tx`delete from device_tokens where org_id = ${orgId}`;
    await tx`delete from login_sessions where org_id = ${orgId}`;
    await tx`delete from api_tokens where org_id = ${orgId}`;
    await tx`delete from event_log where org_id = ${orgId}`;
    await tx`delete from audit_log where org_id = ${orgId}`;
    await tx`delete from dead_letter_queue where org_id = ${orgId}`;
    await tx`delete from category_buyers where org_id = ${orgId}`;
    await tx`delete from import_reports where org_id = ${orgId}`;
  });
  await vacuum(sql, ['purchase_request_items', 'store_stock', 'count_entries', 'inventory_expected', 'inventory_totals']);
  await sql.begin(async (tx) => {
    await tx`set local statement_timeout = 0`;
    // The org's search words go in one range delete, not through the products trigger (a key lookup per word).
    await tx`select set_config('myinventory.product_search_words', 'caller', true)`;
    await tx`delete from product_search_words where org_id = ${orgId}`;
    await tx`delete from products where org_id = ${orgId}`;
    await tx`delete from store_memberships where org_id = ${orgId}`;
    await tx`delete from users where org_id = ${orgId}`;
    await tx`delete from stores where org_id = ${orgId}`;
    await tx`delete from organizations where id = ${orgId}`;
  });
  // The new rows then reuse the space and the indexes carry no dead entries while they are filled.
  await vacuum(sql, ['products', 'product_search_words', 'purchase_requests', 'store_daily_stats']);
}

async function vacuum(sql: Sql, tables: string[]): Promise<void> {
  const conn = await sql.reserve();
  try {
    // VACUUM cannot run in a transaction, so the timeout is lifted for this connection's session and put back.
    await conn`set statement_timeout = 0`;
    await conn.unsafe(`vacuum ${tables.join(', ')}`);
    await conn`reset statement_timeout`;
  } finally {
    conn.release();
  }
}

type Cell = string | number | null;

/** Streams rows to `COPY ... FROM STDIN` in text format; returns the number of rows. */
async function copyRows(tx: TransactionSql, table: string, columns: string[], rows: Iterable<Cell[]>): Promise<number> {
  let count = 0;
  function* chunks(): Generator<string> {
    let buffer: string[] = [];
    for (const row of rows) {
      buffer.push(row.map(copyCell).join('\t'));
      count++;
      if (buffer.length === 2000) {
        yield buffer.join('\n') + '\n';
        buffer = [];
      }
    }
    if (buffer.length > 0) yield buffer.join('\n') + '\n';
  }
  const writable = await tx.unsafe(`copy ${table} (${columns.join(', ')}) from stdin`).writable();
  await pipeline(Readable.from(chunks()), writable);
  return count;
}

function copyCell(value: Cell): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : value;
}

function makeStores(rng: Prng) {
  return Array.from({ length: STORE_COUNT }, (_, i) => {
    const city = rng.pick(CITIES);
    return { id: rng.uuid(), code: `L${String(i + 1).padStart(3, '0')}`, name: `Loja ${city} ${rng.pick(STORE_AREAS)} ${i + 1}`, city };
  });
}

function makeUsers(rng: Prng): SeedUser[] {
  const plan: [UserRole, string, number, number][] = [
    ['admin', 'admin', ADMIN_COUNT, 2],
    ['manager', 'manager', MANAGER_COUNT, 2],
    ['buyer', 'buyer', BUYER_COUNT, 2],
    ['clerk', 'clerk', CLERK_COUNT, 3],
  ];
  return plan.flatMap(([role, prefix, count, digits]) =>
    Array.from({ length: count }, (_, i) => ({
      id: rng.uuid(),
      email: `${prefix}${String(i + 1).padStart(digits, '0')}@scale.test`,
      name: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)} ${rng.pick(LAST_NAMES)}`,
      role,
    })),
  );
}

/** Clerks spread evenly with some in a second store; manager m runs stores 2m and 2m+1, so every store has one. */
function makeMemberships(rng: Prng, clerks: SeedUser[], managers: SeedUser[]): Map<string, number[]> {
  const memberships = new Map<string, number[]>();
  clerks.forEach((clerk, i) => {
    const home = i % STORE_COUNT;
    const stores = [home];
    if (rng.chance(0.3)) stores.push((home + rng.int(1, STORE_COUNT - 1)) % STORE_COUNT);
    memberships.set(clerk.id, stores);
  });
  managers.forEach((manager, m) => memberships.set(manager.id, [(2 * m) % STORE_COUNT, (2 * m + 1) % STORE_COUNT]));
  return memberships;
}

/** 9 digits after the 789 prefix: an affine map modulo 10^9 with a multiplier coprime to it is a bijection, so EANs never repeat. */
const EAN_SPACE = 1_000_000_000;
const EAN_MULTIPLIER = 387_420_489;

function* productRows(
  rng: Prng,
  seed: number,
  orgId: string,
  products: ProductTable,
  categoryBuyer: number[],
  buyers: SeedUser[],
): Generator<Cell[]> {
  const count = products.ids.length;
  const bulkCategories = CATEGORIES.map((c, i) => i).filter((i) => CATEGORIES[i]!.byWeight);
  const bulkCount = Math.min(2_000, Math.max(5, Math.round(count / 500)));
  const offset = Prng.derive(seed, 'ean').uint32() % EAN_SPACE;
  for (let i = 0; i < count; i++) {
    const id = rng.uuid();
    const bulk = i < bulkCount;
    const categoryIdx = bulk ? bulkCategories[i % bulkCategories.length]! : rng.int(0, CATEGORIES.length - 1);
    const category = CATEGORIES[categoryIdx]!;
    const buyerIdx = rng.chance(0.85) ? categoryBuyer[categoryIdx]! : rng.int(0, buyers.length - 1);
    const priceCents = rng.int(category.price[0], category.price[1]);
    let ean: string;
    let name: string;
    let brand: string | null;
    let unit: string;
    let plu: string | null = null;
    if (bulk) {
      plu = String(10_001 + i);
      ean = withCheckDigit(`2${plu}000000`);
      name = `${rng.pick(category.byWeight!)} kg`;
      brand = null;
      unit = BULK_UNIT;
    } else {
      const body = (i * EAN_MULTIPLIER + offset) % EAN_SPACE;
      ean = withCheckDigit(`789${String(body).padStart(9, '0')}`);
      brand = rng.pick(category.brands);
      name = `${rng.pick(category.items)} ${brand} ${rng.pick(category.sizes)}`;
      unit = category.unit ?? (rng.chance(CASE_UNIT_SHARE) ? 'cx' : 'un');
    }
    products.ids[i] = id;
    products.buyer[i] = buyerIdx;
    products.priceCents[i] = priceCents;
    products.byWeight[i] = bulk ? 1 : 0;
    yield [id, orgId, ean, name, brand, category.name, unit, centsToText(priceCents), plu, buyers[buyerIdx]!.id];
  }
}

const REQUEST_COLUMNS = [
  'id', 'org_id', 'store_id', 'created_by', 'status', 'note', 'total_value', 'item_count', 'version',
  'submitted_at', 'completed_at', 'closed_at', 'closed_by', 'created_at', 'updated_at',
];
const ITEM_COLUMNS = [
  'id', 'org_id', 'request_id', 'product_id', 'buyer_id', 'quantity', 'unit_price', 'status',
  'approved_quantity', 'decision_reason', 'decided_by', 'decided_at', 'version', 'created_at',
];

type ItemDecision = 'pending' | 'approved' | 'rejected';

function itemDecisions(rng: Prng, status: RequestStatus): ItemDecision[] {
  switch (status) {
    case 'draft':
    case 'pending':
      return Array<ItemDecision>(ITEMS_PER_REQUEST).fill('pending');
    case 'approved':
      return Array<ItemDecision>(ITEMS_PER_REQUEST).fill('approved');
    case 'rejected':
      return Array<ItemDecision>(ITEMS_PER_REQUEST).fill('rejected');
    case 'partially_approved': {
      const approved = new Set(rng.distinctInts(rng.int(1, ITEMS_PER_REQUEST - 1), ITEMS_PER_REQUEST));
      return Array.from({ length: ITEMS_PER_REQUEST }, (_, i) => (approved.has(i) ? 'approved' : 'rejected'));
    }
    case 'closed':
      return Array.from({ length: ITEMS_PER_REQUEST }, () => (rng.chance(0.75) ? 'approved' : 'rejected'));
  }
}

function makeRequests(
  rng: Prng,
  ctx: {
    count: number;
    now: number;
    orgId: string;
    stores: { id: string }[];
    clerks: SeedUser[];
    managers: SeedUser[];
    memberships: Map<string, number[]>;
    products: ProductTable;
    buyers: SeedUser[];
  },
): { requests: Cell[][]; items: Cell[][] } {
  const { now, orgId, products } = ctx;
  const requests: Cell[][] = [];
  const items: Cell[][] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  for (let r = 0; r < ctx.count; r++) {
    const id = rng.uuid();
    const creator = rng.chance(0.1) ? rng.pick(ctx.managers) : rng.pick(ctx.clerks);
    const storeIdx = rng.pick(ctx.memberships.get(creator.id)!);
    const status = rng.weighted(STATUS_MIX);
    const createdAt = now - rng.int(5 * 60_000, HISTORY_MS);
    const submittedAt = status === 'draft' ? null : createdAt + Math.floor(rng.next() * Math.min(30 * 60_000, (now - createdAt) / 2));
    const decisions = itemDecisions(rng, status);
    let totalMilliCents = 0;
    let completedAt: number | null = null;
    for (const [slot, productIdx] of rng.distinctInts(ITEMS_PER_REQUEST, products.ids.length).entries()) {
      const decision = decisions[slot]!;
      const byWeight = products.byWeight[productIdx] === 1;
      // Quantities in thousandths: kg in steps of 0.5, units from typical pack sizes.
      const step = byWeight ? 500 : 1000;
      const quantity = byWeight ? rng.int(2, 60) * 500 : rng.pick(UNIT_QUANTITIES) * 1000;
      const priceCents = products.priceCents[productIdx]!;
      totalMilliCents += quantity * priceCents;
      const buyer = ctx.buyers[products.buyer[productIdx]!]!;
      let decidedAt: number | null = null;
      let approvedQuantity: number | null = null;
      let reason: string | null = null;
      if (decision !== 'pending') {
        decidedAt = submittedAt! + Math.floor((0.05 + 0.95 * rng.next()) * Math.min(72 * 3600_000, now - submittedAt!));
        completedAt = Math.max(completedAt ?? 0, decidedAt);
        if (decision === 'rejected') reason = rng.pick(REJECTION_REASONS);
        else if (quantity > step && rng.chance(0.2)) {
          approvedQuantity = Math.max(step, Math.floor(quantity / 2 / step) * step);
          reason = REDUCED_REASON;
        } else approvedQuantity = quantity;
      }
      items.push([
        rng.uuid(),
        orgId,
        id,
        products.ids[productIdx]!,
        // Items get their buyer when the request is submitted.
        status === 'draft' ? null : buyer.id,
        quantity / 1000,
        centsToText(priceCents),
        decision,
        approvedQuantity === null ? null : approvedQuantity / 1000,
        reason,
        decidedAt === null ? null : buyer.id,
        decidedAt === null ? null : iso(decidedAt),
        decidedAt === null ? 1 : 2,
        iso(createdAt),
      ]);
    }
    const closedAt = status === 'closed' ? completedAt! + Math.floor(rng.next() * Math.min(48 * 3600_000, now - completedAt!)) : null;
    const closedBy = closedAt === null ? null : ctx.managers[Math.floor(storeIdx / 2) % ctx.managers.length]!.id;
    const updatedAt = closedAt ?? completedAt ?? submittedAt ?? createdAt;
    requests.push([
      id,
      orgId,
      ctx.stores[storeIdx]!.id,
      creator.id,
      status,
      rng.chance(0.2) ? rng.pick(REQUEST_NOTES) : null,
      // Rounded to centavos the way numeric(14,2) rounds the exact sum (half away from zero).
      centsToText(Math.round(totalMilliCents / 1000)),
      ITEMS_PER_REQUEST,
      closedAt !== null ? 3 : completedAt !== null ? 2 : 1,
      submittedAt === null ? null : iso(submittedAt),
      completedAt === null ? null : iso(completedAt),
      closedAt === null ? null : iso(closedAt),
      closedBy,
      iso(createdAt),
      iso(updatedAt),
    ]);
  }
  return { requests, items };
}

function* stockRows(rng: Prng, orgId: string, stores: { id: string }[], products: ProductTable, perStore: number): Generator<Cell[]> {
  const byId = (a: number, b: number) => (products.ids[a]! < products.ids[b]! ? -1 : 1);
  for (const store of stores) {
    // In key order the primary key and the product foreign-key lookups walk their indexes forwards (~20% faster).
    for (const productIdx of rng.distinctInts(perStore, products.ids.length).sort(byId)) {
      const quantity = products.byWeight[productIdx] === 1 ? rng.int(0, 80_000) / 1000 : rng.int(0, 240);
      yield [orgId, store.id, products.ids[productIdx]!, quantity];
    }
  }
}

function centsToText(cents: number): string {
  const whole = Math.floor(cents / 100);
  const rest = cents % 100;
  return `${whole}.${rest < 10 ? '0' : ''}${rest}`;
}
